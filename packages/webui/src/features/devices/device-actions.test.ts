// Which containment actions the device menu offers for each status, and which need a typed name.
import { describe, expect, it } from 'vitest';
import { TYPED_ACTIONS } from './DeviceActionDialog';
import { actionsFor } from './DeviceRowMenu';

describe('device actions', () => {
  it('offers quarantine to an active device and release to a quarantined one', () => {
    expect(actionsFor('active')).toEqual(['quarantine', 'revoke', 'retire', 'purge']);
    expect(actionsFor('quarantined')).toEqual(['unquarantine', 'revoke', 'retire', 'purge']);
  });

  it('leaves only retire and purge once revoked, and only purge once retired', () => {
    expect(actionsFor('revoked')).toEqual(['retire', 'purge']);
    expect(actionsFor('decommissioned')).toEqual(['purge']);
  });

  it('asks for the typed name before revoke, retire and purge only', () => {
    expect([...TYPED_ACTIONS].sort()).toEqual(['purge', 'retire', 'revoke']);
  });
});
