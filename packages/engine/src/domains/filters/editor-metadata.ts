// What the filter editor offers (GET /api/device_filters/metadata): fields with their operators,
// joins, site modes, software options, limits, and the metadata-field picker.

import {
  FILTER_CONDITIONS_MAX,
  FILTER_GROUPS_MAX,
  FILTER_JOINS,
  FILTER_PREVIEW_MAX,
  FILTER_REGEX_MAX,
  FILTER_SITE_MODES,
  NUMBER_OPERATORS,
  SOFTWARE_SOURCES,
  STATUS_OPERATORS,
  TEXT_OPERATORS,
  VERSION_OPERATORS,
  type DeviceFilterEditorMetadata,
} from '@borealis/protocol';
import type { DbExecutor } from '../audit/audit-log';

type Field = DeviceFilterEditorMetadata['fields'][number];

const text = (field: string, label: string): Field => ({ field, label, kind: 'text', operators: [...TEXT_OPERATORS], supports_regex: true });
const number = (field: string, label: string, unit: string): Field => ({ field, label, kind: 'number', operators: [...NUMBER_OPERATORS], supports_regex: false, unit });

const FIELDS: readonly Field[] = [
  text('hostname', 'Hostname'),
  text('description', 'Description'),
  text('site_name', 'Site'),
  text('operating_system', 'Operating system'),
  text('device_type', 'Device type'),
  text('last_user', 'Last user'),
  text('internal_ip', 'Internal IP'),
  text('external_ip', 'External IP'),
  text('domain', 'Domain'),
  text('cpu_model', 'CPU model'),
  text('agent_version', 'Agent version'),
  { field: 'status', label: 'Status', kind: 'status', operators: [...STATUS_OPERATORS], supports_regex: false, values: ['Online', 'Offline'] },
  number('last_seen_age_minutes', 'Last seen (minutes ago)', 'minutes'),
  number('total_ram_gb', 'Total RAM', 'GB'),
  number('storage_free_percent', 'Free storage', '%'),
  { field: 'installed_software', label: 'Installed software', kind: 'software', operators: [...TEXT_OPERATORS], supports_regex: true },
  { field: 'metadata_field', label: 'Metadata field', kind: 'metadata', operators: [...TEXT_OPERATORS], supports_regex: true },
];

export async function filterEditorMetadata(executor: DbExecutor): Promise<DeviceFilterEditorMetadata> {
  const fields = await executor.selectFrom('metadata_field_definitions').select(['field_number', 'label']).orderBy('field_number').execute();
  return {
    fields: [...FIELDS],
    joins: [...FILTER_JOINS],
    site_modes: [...FILTER_SITE_MODES],
    software_sources: [...SOFTWARE_SOURCES],
    version_operators: [...VERSION_OPERATORS],
    metadata_fields: fields,
    limits: { groups: FILTER_GROUPS_MAX, conditions: FILTER_CONDITIONS_MAX, regex_length: FILTER_REGEX_MAX, preview: FILTER_PREVIEW_MAX },
  };
}
