// The update body holds only what changed: secrets are never echoed back, empty keeps, clear is null.
import type { Credential } from '@borealis/protocol';
import { describe, expect, it } from 'vitest';
import { createBody, NO_CLEARS, NO_SECRETS, plainValuesOf, updateBody } from './credential-form';

const STORED: Credential = {
  id: 7,
  name: 'linux-root',
  description: null,
  site_id: 3,
  credential_type: 'machine',
  connection_type: 'ssh',
  username: 'root',
  become_method: null,
  become_username: null,
  has_password: true,
  has_private_key: false,
  has_private_key_passphrase: false,
  has_become_password: true,
  secret_state: 'ok',
  lost_secret_fields: [],
  version: 4,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

describe('credential form bodies', () => {
  it('sends nothing when nothing was touched', () => {
    expect(updateBody(STORED, plainValuesOf(STORED), NO_SECRETS, NO_CLEARS)).toEqual({});
  });

  it('sends a changed field, a typed secret and null for a cleared one, and nothing else', () => {
    const values = { ...plainValuesOf(STORED), username: ' admin ', siteId: '' };
    const body = updateBody(STORED, values, { ...NO_SECRETS, private_key: 'KEY' }, { ...NO_CLEARS, become_password: true });
    expect(body).toEqual({ username: 'admin', site_id: null, private_key: 'KEY', become_password: null });
  });

  it('treats a blanked optional text as null, and creates with only the secrets typed', () => {
    expect(updateBody(STORED, { ...plainValuesOf(STORED), username: '   ' }, NO_SECRETS, NO_CLEARS)).toEqual({ username: null });
    const created = createBody({ ...plainValuesOf(null), name: ' web ', siteId: '3' }, { ...NO_SECRETS, password: 'pw' });
    expect(created).toEqual({
      name: 'web',
      description: null,
      site_id: 3,
      credential_type: 'machine',
      connection_type: 'ssh',
      username: null,
      become_method: null,
      become_username: null,
      password: 'pw',
    });
  });
});
