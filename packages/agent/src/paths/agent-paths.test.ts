// File locations of agent-protocol.md §4.1 and the BOREALIS_AGENT_ROOT override.

import { describe, expect, it } from 'vitest';
import { resolveAgentPaths } from './agent-paths';

describe('resolveAgentPaths', () => {
  it('uses the FHS locations without an override', () => {
    expect(resolveAgentPaths({})).toEqual({
      root: '/',
      configDir: '/etc/borealis-agent',
      configFile: '/etc/borealis-agent/agent.json',
      lockFile: '/etc/borealis-agent/agent.json.lock',
      stateDir: '/var/lib/borealis-agent',
      logDir: '/var/log/borealis-agent',
    });
  });

  it('moves every path under BOREALIS_AGENT_ROOT', () => {
    const paths = resolveAgentPaths({ BOREALIS_AGENT_ROOT: '/tmp/agent-root/' });
    expect(paths.configFile).toBe('/tmp/agent-root/etc/borealis-agent/agent.json');
    expect(paths.stateDir).toBe('/tmp/agent-root/var/lib/borealis-agent');
  });

  it('rejects a relative root', () => {
    expect(() => resolveAgentPaths({ BOREALIS_AGENT_ROOT: 'tmp/x' })).toThrow('BOREALIS_AGENT_ROOT must be an absolute path');
  });
});
