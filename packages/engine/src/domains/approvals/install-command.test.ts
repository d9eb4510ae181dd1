// The install command's two forms: pinned to the server key when the engine uses its local CA,
// plain curl otherwise.

import { describe, expect, it } from 'vitest';
import { buildInstallCommand } from './install-command';

const CODE = 'ABCD-EF01-2345-6789-ABCD-EF01-2345-6789';

describe('buildInstallCommand', () => {
  it('pins the server key and skips the CA chain when the engine made its own CA', () => {
    const command = buildInstallCommand({ origin: () => 'https://rmm.example:5000', agentTrust: { caPem: '-----BEGIN CERTIFICATE-----', serverKeyPin: 'sha256//AbC+/=' } }, CODE);
    expect(command).toBe(
      `curl -fsSL --pinnedpubkey 'sha256//AbC+/=' -k 'https://rmm.example:5000/api/agent/install/download/linux' | sudo bash -s -- --site-enrollment-code '${CODE}'`,
    );
  });

  it('uses plain curl with a supplied certificate or none', () => {
    const expected = `curl -fsSL 'https://rmm.example/api/agent/install/download/linux' | sudo bash -s -- --site-enrollment-code '${CODE}'`;
    expect(buildInstallCommand({ origin: () => 'https://rmm.example', agentTrust: { caPem: null, serverKeyPin: 'sha256//x' } }, CODE)).toBe(expected);
    expect(buildInstallCommand({ origin: () => 'https://rmm.example', agentTrust: null }, CODE)).toBe(expected);
  });

  it('quotes a single quote so the shell cannot be broken out of', () => {
    expect(buildInstallCommand({ origin: () => "https://a'b", agentTrust: null }, 'X')).toContain(`'https://a'\\''b/api/agent/install/download/linux'`);
  });
});
