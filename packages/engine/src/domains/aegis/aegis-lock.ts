// The one advisory lock (1112494661, 1) that serialises Aegis setup, passphrase change, data-key
// rotation and force reset (data-model.md §6); taken inside the caller's transaction.

import { sql } from 'kysely';

export const AEGIS_LOCK = sql`SELECT pg_advisory_xact_lock(1112494661, 1)`;
