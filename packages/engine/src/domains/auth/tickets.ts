// Single-use sign-in tickets (security.md §4.3): 32 random bytes, only the SHA-256 stored, five
// wrong codes kill one. A ticket is never accepted as a cookie or bearer token.

import { createHash, randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from '../../clock';
import type { TicketPurpose } from '../../db/schema';
import { AppError } from '../../errors';
import type { DbExecutor } from '../audit/audit-log';

export const TICKET_LIFETIME_SECONDS: Record<TicketPurpose, number> = { mfa: 300, mfa_setup: 600, bootstrap_admin: 600, bootstrap_recover: 600 };
const MAX_FAILURES = 5;

export interface Ticket {
  readonly id: string;
  readonly userId: string | null;
  readonly purpose: TicketPurpose;
  readonly failures: number;
}

export function createTickets(deps: { clock: Clock }) {
  const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();
  const invalid = () => new AppError('invalid_token', 'This sign-in step has expired; start again');

  return {
    async issue(db: DbExecutor, input: { userId: string | null; purpose: TicketPurpose; ip: string | null; id?: string }): Promise<{ id: string; token: string; expiresIn: number }> {
      const token = randomBytes(32).toString('base64url');
      const id = input.id ?? uuidv7();
      const expiresIn = TICKET_LIFETIME_SECONDS[input.purpose];
      await db
        .insertInto('auth_tickets')
        .values({
          id,
          token_hash: digest(token),
          user_id: input.userId,
          purpose: input.purpose,
          expires_at: new Date(deps.clock.now().getTime() + expiresIn * 1000),
          created_ip: input.ip,
        })
        .execute();
      return { id, token, expiresIn };
    },

    /** The live ticket for a token of one of `purposes`, else 401 invalid_token. */
    async find(db: DbExecutor, token: string, purposes: readonly TicketPurpose[]): Promise<Ticket> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw invalid();
      const row = await db.selectFrom('auth_tickets').selectAll().where('token_hash', '=', digest(token)).executeTakeFirst();
      if (!row || row.used_at || row.expires_at <= deps.clock.now() || row.failures >= MAX_FAILURES || !purposes.includes(row.purpose)) {
        throw invalid();
      }
      return { id: row.id, userId: row.user_id, purpose: row.purpose, failures: row.failures };
    },

    /** Counts a wrong code; the fifth kills the ticket. Returns whether it is now dead. */
    async fail(db: DbExecutor, id: string): Promise<boolean> {
      const row = await db
        .updateTable('auth_tickets')
        .set((eb) => ({ failures: eb('failures', '+', 1) }))
        .where('id', '=', id)
        .returning('failures')
        .executeTakeFirst();
      return (row?.failures ?? MAX_FAILURES) >= MAX_FAILURES;
    },

    async use(db: DbExecutor, id: string): Promise<void> {
      const result = await db.updateTable('auth_tickets').set({ used_at: deps.clock.now() }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw invalid();
    },
  };
}

export type Tickets = ReturnType<typeof createTickets>;
