// Test factory: devices inserted as enrolment leaves them (the cold row plus its heartbeat row),
// with overridable columns, and their software and metadata rows. Enrolment itself is tested elsewhere.

import { randomBytes, randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { Database, DeviceHeartbeatStateTable, DevicesTable } from '../../db/schema';

export interface TestDeviceInput extends Partial<Omit<Insertable<DevicesTable>, 'guid'>> {
  readonly guid?: string;
  readonly heartbeat?: Partial<Omit<Insertable<DeviceHeartbeatStateTable>, 'device_guid'>>;
}

export interface TestDevice {
  readonly guid: string;
  readonly display_name: string;
  readonly site_id: number | null;
}

export async function insertDevice(db: Kysely<Database>, input: TestDeviceInput = {}): Promise<TestDevice> {
  const { heartbeat, guid: wanted, ...columns } = input;
  const guid = (wanted ?? randomUUID()).toLowerCase();
  const name = columns.display_name ?? `host-${randomBytes(4).toString('hex')}`;
  const now = new Date('2026-11-20T10:00:00Z');
  await db
    .insertInto('devices')
    .values({
      guid,
      display_name: name,
      hostname: columns.hostname ?? name,
      ssl_key_fingerprint: randomBytes(32).toString('hex'),
      agent_id: `${name.toUpperCase()}_${guid.slice(0, 8)}_SYSTEM`,
      platform: 'linux',
      arch: 'x64',
      enrolled_at: now,
      last_enrollment_at: now,
      created_at: now,
      updated_at: now,
      ...columns,
    })
    .execute();
  await db
    .insertInto('device_heartbeat_state')
    .values({ device_guid: guid, written_at: now, ...heartbeat })
    .execute();
  return { guid, display_name: name, site_id: columns.site_id ?? null };
}

/** A software row under a (shared) title. */
export async function insertSoftware(db: Kysely<Database>, guid: string, input: { name: string; version: string; source?: string; architecture?: string }): Promise<void> {
  const title = await db
    .insertInto('software_titles')
    .values({ name: input.name, name_lower: input.name.toLowerCase() })
    .onConflict((oc) => oc.column('name_lower').doUpdateSet({ name: input.name }))
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('device_software_inventory')
    .values({ device_guid: guid, title_id: title.id, version: input.version, source: input.source ?? 'dpkg', architecture: input.architecture ?? 'amd64' })
    .execute();
}

export async function insertMetadata(db: Kysely<Database>, guid: string, fieldNumber: number, value: string): Promise<void> {
  const now = new Date('2026-11-20T10:00:00Z');
  await db
    .insertInto('device_metadata_fields')
    .values({ device_guid: guid, field_number: fieldNumber, value, modified_at: now, source: 'engine', actor: 'test', created_at: now, updated_at: now })
    .execute();
}

export async function insertSite(db: Kysely<Database>, name: string): Promise<number> {
  const now = new Date('2026-11-20T10:00:00Z');
  const row = await db
    .insertInto('sites')
    .values({ name, enrollment_code_hash: randomBytes(32), enrollment_code_rotated_at: now, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
