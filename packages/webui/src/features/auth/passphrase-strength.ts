// A rough strength hint for a new passphrase or password while it is typed. The engine has the final
// word (length, its common-password list); this only nudges people towards longer secrets.

export const MIN_SECRET_LENGTH = 12;

export interface Strength {
  /** 0 = too short, 1 weak, 2 fair, 3 good, 4 strong. */
  readonly score: 0 | 1 | 2 | 3 | 4;
  readonly label: string;
  readonly color: string;
}

const LEVELS: readonly Strength[] = [
  { score: 0, label: 'Too short', color: 'red' },
  { score: 1, label: 'Weak', color: 'orange' },
  { score: 2, label: 'Fair', color: 'yellow' },
  { score: 3, label: 'Good', color: 'teal' },
  { score: 4, label: 'Strong', color: 'green' },
];

/** Length in code points, as the engine counts it (an emoji is one character). */
export function secretLength(value: string): number {
  return [...value.normalize('NFC')].length;
}

/**
 * Estimates bits as length × log2(alphabet), counting only distinct characters beyond the first few
 * repeats, so "aaaaaaaaaaaa" stays weak while four random words come out strong.
 */
export function estimateStrength(value: string): Strength {
  const chars = [...value.normalize('NFC')];
  if (chars.length < MIN_SECRET_LENGTH) return LEVELS[0]!;
  let alphabet = 0;
  if (/[a-z]/.test(value)) alphabet += 26;
  if (/[A-Z]/.test(value)) alphabet += 26;
  if (/[0-9]/.test(value)) alphabet += 10;
  if (/[^A-Za-z0-9]/.test(value)) alphabet += 33;
  const distinct = new Set(chars.map((c) => c.toLowerCase())).size;
  // Repeated characters add little: weigh the length by how varied the characters are.
  const effectiveLength = Math.min(chars.length, distinct * 2);
  const bits = effectiveLength * Math.log2(Math.max(alphabet, 2));
  if (bits < 50) return LEVELS[1]!;
  if (bits < 70) return LEVELS[2]!;
  if (bits < 95) return LEVELS[3]!;
  return LEVELS[4]!;
}
