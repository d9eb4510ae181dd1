// agent.json validation: every problem names the file and the key (agent-protocol.md §4.1).

import { describe, expect, it } from 'vitest';
import { generateIdentity } from '../identity/device-key';
import { AgentConfigError, parseAgentFile, validateAgentFile } from './load-agent-file';

const FILE = '/etc/borealis-agent/agent.json';
const minimal = { schema_version: 1, server_url: 'https://rmm.example.com' };

function problemsOf(value: unknown): Array<{ key: string; message: string }> {
  try {
    validateAgentFile(FILE, value);
  } catch (err) {
    if (err instanceof AgentConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected the file to be rejected');
}

describe('validateAgentFile', () => {
  it('accepts a minimal file and a fully enrolled one', () => {
    expect(validateAgentFile(FILE, minimal).server_url).toBe('https://rmm.example.com');
    const full = validateAgentFile(FILE, {
      ...minimal,
      enrollment_code: '0123456789abcdef0123456789abcdef',
      agent: { guid: 'A1B2C3D4-0000-4000-8000-000000000001', agent_id: 'HOST_A1B2C3D4-0000-4000-8000-000000000001_SYSTEM', site_id: 3 },
      identity: generateIdentity(),
      tokens: { access_token: 'a', access_expires_at: '2026-11-25T04:00:00Z', refresh_token: 'r', refresh_expires_at: '2026-12-25T04:00:00Z' },
      trust: { mode: 'system' },
    });
    expect(full.enrollment_code).toBe('0123-4567-89AB-CDEF-0123-4567-89AB-CDEF');
  });

  it('names an unknown key, including nested ones', () => {
    expect(problemsOf({ ...minimal, heartbeat_interval_s: 20 })).toEqual([{ key: 'heartbeat_interval_s', message: 'is not a known key' }]);
    expect(problemsOf({ ...minimal, trust: { mode: 'system', extra: true } })).toEqual([{ key: 'trust.extra', message: 'is not a known key' }]);
  });

  it('names a missing or wrong-typed key', () => {
    expect(problemsOf({ schema_version: 1 }).map((p) => p.key)).toEqual(['server_url']);
    expect(problemsOf({ ...minimal, schema_version: 2 })).toEqual([{ key: 'schema_version', message: 'must be 1' }]);
    expect(problemsOf({ ...minimal, trust: { mode: 'pinned' } }).map((p) => p.key)).toEqual(['trust.mode']);
    expect(problemsOf({ ...minimal, agent: { guid: 'a1b2c3d4-0000-4000-8000-000000000001' } })).toEqual([{ key: 'agent.guid', message: 'must be an upper-case UUID' }]);
  });

  it('rejects http and an unpinned IP server_url', () => {
    expect(problemsOf({ ...minimal, server_url: 'http://rmm.example.com' })[0]).toMatchObject({ key: 'server_url', message: expect.stringContaining('https://') });
    expect(problemsOf({ ...minimal, server_url: 'https://192.0.2.10' })[0]).toMatchObject({ key: 'server_url', message: expect.stringContaining('pinned CA') });
  });

  it('requires the CA for trust mode ca and a bad enrolment code is named', () => {
    expect(problemsOf({ ...minimal, trust: { mode: 'ca' } }).map((p) => p.key)).toEqual(['trust.engine_ca_pem']);
    expect(problemsOf({ ...minimal, enrollment_code: 'nope' }).map((p) => p.key)).toEqual(['enrollment_code']);
  });

  it('rejects a public key that does not belong to the private key', () => {
    const identity = { ...generateIdentity(), public_key_spki_b64: generateIdentity().public_key_spki_b64 };
    expect(problemsOf({ ...minimal, identity })).toEqual([{ key: 'identity.public_key_spki_b64', message: 'does not match the private key' }]);
  });

  it('says which file holds invalid JSON', () => {
    expect(() => parseAgentFile(FILE, '{"schema_version": 1,')).toThrow(`${FILE}: is not valid JSON`);
  });

  it('puts the file and key in the error message', () => {
    expect(() => validateAgentFile(FILE, { ...minimal, bogus: 1 })).toThrow(`${FILE}: key "bogus" is not a known key`);
  });
});
