// Every conflict kind gets words an approver can act on; no conflict gets none.
import type { DeviceApproval } from '@borealis/protocol';
import { describe, expect, it } from 'vitest';
import { describeConflict, RESOLUTION_LABELS } from './conflict-text';

const base = {
  hostname_claimed: 'web-01',
  conflict_device: { guid: 'A', display_name: 'web-01', hostname: 'web-01', status: 'active', site_id: 1 },
} as const;

const approval = (kind: DeviceApproval['conflict_kind'], device: DeviceApproval['conflict_device'] = base.conflict_device) =>
  ({ ...base, conflict_kind: kind, conflict_device: device }) as DeviceApproval;

describe('describeConflict', () => {
  it('says nothing without a conflict', () => {
    expect(describeConflict(approval('none', null))).toBeNull();
  });

  it('names the device and what approving does for each kind', () => {
    expect(describeConflict(approval('same_key'))).toContain('already belongs to web-01 (active)');
    expect(describeConflict(approval('same_hostname'))).toContain('already has the host name web-01');
    expect(describeConflict(approval('revoked_device', { ...base.conflict_device, status: 'revoked' }))).toContain('only come back by overwriting');
  });

  it('copes with a conflicting device that is gone', () => {
    expect(describeConflict(approval('same_hostname', null))).toContain('a device that no longer exists');
  });

  it('labels every resolution', () => {
    expect(Object.keys(RESOLUTION_LABELS).sort()).toEqual(['coexist', 'merge', 'overwrite']);
  });
});
