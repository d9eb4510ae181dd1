// Site enrolment codes (agent-protocol.md §2.1): 128 random bits shown as 8 dash-separated groups
// of 4 upper-case hex digits, found again by an HMAC under the host secret (works while locked).

import { randomBytes } from 'node:crypto';
import type { DbExecutor } from '../audit/audit-log';
import type { HostSecret } from '../../secrets/host-secret';

const NORMALISED = /^[0-9A-F]{32}$/;

/** A fresh code in display form, `ABCD-…-1234`. */
export function generateEnrollmentCode(): string {
  const hex = randomBytes(16).toString('hex').toUpperCase();
  return hex.match(/.{4}/g)!.join('-');
}

/** Input is case-insensitive and ignores dashes and whitespace; null when it cannot be a code. */
export function normaliseEnrollmentCode(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '').toUpperCase();
  return NORMALISED.test(compact) ? compact : null;
}

/** The lookup digest stored in `sites.enrollment_code_hash`. */
export function enrollmentCodeHash(hostSecret: HostSecret, normalised: string): Buffer {
  return hostSecret.hmac('enrollment-code', normalised);
}

export interface EnrollmentCodeSite {
  readonly id: number;
  readonly name: string;
  readonly auto_approve_until: Date | null;
  readonly enrollment_code_expires_at: Date | null;
  readonly enrollment_code_max_uses: number | null;
  readonly enrollment_code_uses: number;
}

/**
 * The site whose active code this is, or null. Only a lookup: the caller judges expiry and uses
 * with `enrollmentCodeUsability`. The code itself is never decrypted.
 */
export async function findSiteByEnrollmentCode(db: DbExecutor, hostSecret: HostSecret, code: string): Promise<EnrollmentCodeSite | null> {
  const normalised = normaliseEnrollmentCode(code);
  if (!normalised) return null;
  const row = await db
    .selectFrom('sites')
    .select(['id', 'name', 'auto_approve_until', 'enrollment_code_expires_at', 'enrollment_code_max_uses', 'enrollment_code_uses'])
    .where('enrollment_code_hash', '=', enrollmentCodeHash(hostSecret, normalised))
    .executeTakeFirst();
  return row ?? null;
}

/** Whether a found code may still enrol: the error codes of agent-protocol.md, or `ok`. */
export function enrollmentCodeUsability(site: EnrollmentCodeSite, now: Date): 'ok' | 'enrollment_code_expired' | 'code_consumed' {
  if (site.enrollment_code_expires_at && site.enrollment_code_expires_at.getTime() <= now.getTime()) return 'enrollment_code_expired';
  if (site.enrollment_code_max_uses !== null && site.enrollment_code_uses >= site.enrollment_code_max_uses) return 'code_consumed';
  return 'ok';
}
