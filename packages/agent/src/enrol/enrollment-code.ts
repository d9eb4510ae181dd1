// Site enrolment codes (agent-protocol.md §2.1): 32 hex digits shown as 8 dash-separated groups
// of 4; input is case-insensitive and dashes and spaces are ignored.

const CODE_DIGITS = 32;

/** The canonical form `ABCD-…` (upper case, 8 groups of 4), or undefined when `input` is not a code. */
export function normalizeEnrollmentCode(input: string): string | undefined {
  const digits = input.replace(/[\s-]/g, '').toUpperCase();
  if (digits.length !== CODE_DIGITS || !/^[0-9A-F]+$/.test(digits)) return undefined;
  return digits.match(/.{4}/g)?.join('-');
}

export const ENROLLMENT_CODE_FORMAT = '32 hex digits, usually written as 8 groups of 4 separated by dashes';
