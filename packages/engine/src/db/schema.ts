// The Kysely `Database` interface: every table of schema `engine`, columns snake_case as stored.

import type { ColumnType, Generated } from 'kysely';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ServerSettingsTable {
  key: string;
  /** jsonb: read parsed, written as a JSON string. */
  value: ColumnType<unknown, string, string>;
  version: Generated<number>;
  updated_by_user_id: string | null;
  updated_at: Timestamp;
}

export interface Database {
  server_settings: ServerSettingsTable;
}
