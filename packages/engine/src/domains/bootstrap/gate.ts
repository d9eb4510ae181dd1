// The bootstrap gate (security.md §2.1): the phase is computed from the database and from
// whether this process holds the Aegis data key, on every operator request.

import { sql } from 'kysely';
import type { DbExecutor } from '../audit/audit-log';

export const GATE_PHASES = [
  'aegis_setup_required',
  'aegis_unlock_required',
  'admin_setup_required',
  'admin_recovery_required',
  'login_required',
] as const;
export type GatePhase = (typeof GATE_PHASES)[number];

export interface GateState {
  readonly phase: GatePhase;
  /** The Aegis state row exists. */
  readonly configured: boolean;
  /** This process holds no data key. */
  readonly locked: boolean;
  readonly unlockEpoch: string | null;
  /** No admin is able to sign in: the setup token is the proof for the next step. */
  readonly needsSetupToken: boolean;
}

export interface Gate {
  state(db: DbExecutor): Promise<GateState>;
}

/** `onUnconfigured` runs when the state row is gone while keys are held (a force reset elsewhere). */
export function createGate(deps: { isUnlocked: () => boolean; onUnconfigured?: () => void }): Gate {
  return {
    async state(db) {
      const { rows } = await sql<{ epoch: string | null; admins: number; usable: number }>`
        SELECT (SELECT unlock_epoch::text FROM aegis_cipher_state WHERE id = 1) AS epoch,
               (SELECT count(*)::int FROM users WHERE role = 'admin') AS admins,
               (SELECT count(*)::int FROM users WHERE role = 'admin' AND NOT auth_reset_required) AS usable`.execute(db);
      const row = rows[0]!;
      const configured = row.epoch !== null;
      if (!configured && deps.isUnlocked()) deps.onUnconfigured?.();
      const locked = !deps.isUnlocked();
      const phase: GatePhase = !configured
        ? 'aegis_setup_required'
        : locked
          ? 'aegis_unlock_required'
          : row.admins === 0
            ? 'admin_setup_required'
            : row.usable === 0
              ? 'admin_recovery_required'
              : 'login_required';
      return { phase, configured, locked, unlockEpoch: row.epoch, needsSetupToken: !configured || row.usable === 0 };
    },
  };
}
