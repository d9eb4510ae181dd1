// The device, filter and metadata wire shapes accept what clients send and refuse the rest.

import { describe, expect, it } from 'vitest';
import { DeviceListQuerySchema, DeviceGuidSchema, CreateDeviceListViewRequestSchema } from './devices';
import { FilterCriteriaSchema } from './filters';
import { SetDeviceMetadataRequestSchema } from './metadata';

describe('device wire shapes', () => {
  it('parses list query defaults, a status list and booleans', () => {
    const q = DeviceListQuerySchema.parse({ status: 'active,quarantined', online: 'true', limit: '20' });
    expect(q).toMatchObject({ limit: 20, sort: 'hostname', status: ['active', 'quarantined'], online: true });
    expect(DeviceListQuerySchema.safeParse({ sort: 'password' }).success).toBe(false);
    expect(DeviceListQuerySchema.safeParse({ limit: '501' }).success).toBe(false);
    expect(DeviceListQuerySchema.safeParse({ status: 'gone' }).success).toBe(false);
  });

  it('upper-cases GUIDs and refuses other strings', () => {
    expect(DeviceGuidSchema.parse('2540da38-e2b1-45b9-9113-bf7cf0e1778a')).toBe('2540DA38-E2B1-45B9-9113-BF7CF0E1778A');
    expect(DeviceGuidSchema.safeParse('nope').success).toBe(false);
  });

  it('reserves the Default View name', () => {
    expect(CreateDeviceListViewRequestSchema.safeParse({ name: 'default view', columns: [] }).success).toBe(false);
  });

  it('turns upstream basic criteria into one AND group and null into match-all', () => {
    const basic = FilterCriteriaSchema.parse([{ field: 'hostname', operator: 'contains', value: 'web' }]);
    expect(basic.groups).toHaveLength(1);
    expect(FilterCriteriaSchema.parse(null)).toEqual({ groups: [] });
    const grouped = FilterCriteriaSchema.parse({ groups: [{ join_with: 'or', conditions: [{ field: 'hostname', operator: 'equals', value: 'a', join_with: 'and' }] }] });
    expect(grouped.groups[0]!.conditions[0]!.join_with).toBe('AND');
  });

  it('limits metadata values to 1024 characters', () => {
    expect(SetDeviceMetadataRequestSchema.safeParse({ value: 'x'.repeat(1024) }).success).toBe(true);
    expect(SetDeviceMetadataRequestSchema.safeParse({ value: 'x'.repeat(1025) }).success).toBe(false);
  });
});
