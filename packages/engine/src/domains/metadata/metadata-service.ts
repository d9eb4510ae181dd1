// Metadata fields (automation.md §7): 500 global labels and per-device plain-text values of at most
// 1024 characters; fields 1-10 are reserved; a blank value clears; newest write wins.

import {
  METADATA_VALUE_MAX,
  RESERVED_METADATA_FIELDS,
  type DeviceMetadataList,
  type DeviceMetadataValue,
  type MetadataFieldDefinition,
} from '@borealis/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { requireSitePermission, type ScopeUser } from '../../db/site-scope';
import { AppError, ValidationError } from '../../errors';
import { findScopedDevice } from '../devices/device-lookup';
import { wireGuid } from '../devices/device-presenter';
import { createMetadataRepository } from './metadata-repository';

export interface MetadataServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
}

const isReserved = (n: number) => n <= RESERVED_METADATA_FIELDS;

function refuseReserved(n: number): void {
  if (isReserved(n)) throw new AppError('reserved_metadata_field', `Metadata fields 1-${RESERVED_METADATA_FIELDS} are reserved for the engine`);
}

export function createMetadataService(deps: MetadataServiceDeps) {
  const { db, clock } = deps;
  const repo = createMetadataRepository();

  const presentDefinition = (r: { field_number: number; label: string | null; description: string | null; updated_by: string | null; updated_at: Date }): MetadataFieldDefinition => ({
    field_number: r.field_number,
    label: r.label,
    description: r.description,
    reserved: isReserved(r.field_number),
    updated_by: r.updated_by,
    updated_at: r.updated_at.toISOString(),
  });

  return {
    async definitions(): Promise<{ fields: MetadataFieldDefinition[] }> {
      return { fields: (await repo.definitions(db)).map(presentDefinition) };
    },

    async updateDefinition(fieldNumber: number, input: { label?: string | null | undefined; description?: string | null | undefined }, by: string): Promise<MetadataFieldDefinition> {
      refuseReserved(fieldNumber);
      const changes = {
        ...(input.label !== undefined ? { label: input.label || null } : {}),
        ...(input.description !== undefined ? { description: input.description || null } : {}),
        updated_by: by,
        updated_at: clock.now(),
      };
      return presentDefinition(await repo.updateDefinition(db, fieldNumber, changes));
    },

    async valuesOf(user: ScopeUser, deviceId: string): Promise<DeviceMetadataList> {
      const { device } = await findScopedDevice(db, user, deviceId);
      const rows = await repo.valuesOf(db, device.guid);
      return {
        device_guid: wireGuid(device.guid),
        fields: rows.map((r) => ({
          field_number: r.field_number,
          label: r.label,
          value: r.value ?? '',
          modified_at: r.modified_at?.toISOString() ?? null,
          source: r.source ?? null,
          actor: r.actor ?? null,
        })),
      };
    },

    /** Sets one value; blank (or null) clears it. Needs `device_edit` on the device's site. */
    async setValue(user: ScopeUser & { username: string }, deviceId: string, fieldNumber: number, value: string | null): Promise<DeviceMetadataValue> {
      refuseReserved(fieldNumber);
      // The route's zod schema caps the length too; this keeps the rule with the service.
      if (value !== null && value.length > METADATA_VALUE_MAX) throw new ValidationError([{ path: 'value', message: `must be at most ${METADATA_VALUE_MAX} characters` }]);
      const { scope, device } = await findScopedDevice(db, user, deviceId);
      requireSitePermission(scope, device.site_id, 'device_edit', 'No such device');
      const now = clock.now();
      const label = (await db.selectFrom('metadata_field_definitions').select('label').where('field_number', '=', fieldNumber).executeTakeFirst())?.label ?? null;
      if (value === null || value.trim() === '') {
        await repo.clearValue(db, device.guid, fieldNumber);
        return { field_number: fieldNumber, label, value: '', modified_at: null, source: null, actor: null };
      }
      await repo.upsertValue(db, { guid: device.guid, fieldNumber, value, actor: user.username, now });
      return { field_number: fieldNumber, label, value, modified_at: now.toISOString(), source: 'engine', actor: user.username };
    },
  };
}
