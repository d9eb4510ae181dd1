// Every query on metadata_field_definitions and device_metadata_fields.

import type { DbExecutor } from '../audit/audit-log';

export function createMetadataRepository() {
  return {
    definitions(executor: DbExecutor) {
      return executor.selectFrom('metadata_field_definitions').select(['field_number', 'label', 'description', 'updated_by', 'updated_at']).orderBy('field_number').execute();
    },

    async updateDefinition(executor: DbExecutor, fieldNumber: number, changes: { label?: string | null; description?: string | null; updated_by: string | null; updated_at: Date }) {
      return executor
        .updateTable('metadata_field_definitions')
        .set(changes)
        .where('field_number', '=', fieldNumber)
        .returning(['field_number', 'label', 'description', 'updated_by', 'updated_at'])
        .executeTakeFirstOrThrow();
    },

    /** All 500 definitions with the device's value where it has one. */
    valuesOf(executor: DbExecutor, guid: string) {
      return executor
        .selectFrom('metadata_field_definitions as f')
        .leftJoin('device_metadata_fields as v', (join) => join.onRef('v.field_number', '=', 'f.field_number').on('v.device_guid', '=', guid))
        .select(['f.field_number', 'f.label', 'v.value', 'v.modified_at', 'v.source', 'v.actor'])
        .orderBy('f.field_number')
        .execute();
    },

    async upsertValue(executor: DbExecutor, input: { guid: string; fieldNumber: number; value: string; actor: string | null; now: Date }) {
      await executor
        .insertInto('device_metadata_fields')
        .values({ device_guid: input.guid, field_number: input.fieldNumber, value: input.value, modified_at: input.now, source: 'engine', actor: input.actor, created_at: input.now, updated_at: input.now })
        .onConflict((oc) =>
          oc.columns(['device_guid', 'field_number']).doUpdateSet({ value: input.value, modified_at: input.now, source: 'engine', actor: input.actor, updated_at: input.now }),
        )
        .execute();
    },

    async clearValue(executor: DbExecutor, guid: string, fieldNumber: number): Promise<void> {
      await executor.deleteFrom('device_metadata_fields').where('device_guid', '=', guid).where('field_number', '=', fieldNumber).execute();
    },
  };
}
