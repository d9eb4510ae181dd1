// Sample agent messages (heartbeat, connect_agent, inventory) parse; malformed ones are refused.

import { describe, expect, it } from 'vitest';
import { ConnectAgentSchema } from './socket-schemas';
import { HeartbeatSchema } from './heartbeat-schemas';
import { InventoryUploadSchema } from './inventory-schemas';

const GUID = '0F8FAD5B-D9CB-469F-A165-70867728950E';
const HASH = 'a'.repeat(64);

const sampleHeartbeat = {
  seq: 1, sent_at: '2026-11-25T04:00:00Z', agent_id: `HOST_${GUID}_SYSTEM`, hostname: 'host', service_mode: 'system',
  agent_version: '0.1.0', release_channel: 'stable', boot_id: '6b0e5d4e-3f7b-4c2a-9a8e-1d2c3b4a5f60', uptime_s: 10,
  last_reboot: '2026-11-25T03:00:00Z', metrics: { cpu_percent: 1.5, memory_percent: 30, swap_percent: 0, load_1m: 0.1, load_5m: 0.2, load_15m: 0.3, process_count: 120 },
  disks: [{ drive: '/', usage: 41 }], last_user: null, logged_in_users: [], internal_ip: '10.0.0.5', inventory_hashes: { summary: HASH },
};

describe('agent device schemas', () => {
  it('accepts a heartbeat and refuses a string where a number belongs', () => {
    expect(HeartbeatSchema.safeParse(sampleHeartbeat).success).toBe(true);
    expect(HeartbeatSchema.safeParse({ ...sampleHeartbeat, seq: '1' }).success).toBe(false);
    expect(HeartbeatSchema.safeParse({ ...sampleHeartbeat, disks: Array.from({ length: 33 }, () => ({ drive: '/', usage: 1 })) }).success).toBe(false);
  });

  it('accepts connect_agent', () => {
    const payload = {
      agent_id: `HOST_${GUID}_SYSTEM`, guid: GUID, hostname: 'host', service_mode: 'system', agent_version: '0.1.0', platform: 'linux', arch: 'x64',
      boot_id: sampleHeartbeat.boot_id, running_jobs: [],
      capabilities: { run_modes: ['system'], interpreters: ['bash'], remote_shell: { vpn: false, socket: false, pty: false }, vpn: { wireguard: false }, vnc: { server: null, session_type: null }, inventory_sections: ['summary'], max_concurrent_jobs: 4 },
    };
    expect(ConnectAgentSchema.safeParse(payload).success).toBe(true);
    expect(ConnectAgentSchema.safeParse({ ...payload, guid: GUID.toLowerCase() }).success).toBe(false);
  });

  it('inventory sections are strict and every sent section needs its hash', () => {
    const base = { agent_id: 'a', hostname: 'host', collected_at: '2026-11-25T04:00:00Z', full: false };
    const software = [{ name: 'bash', version: '5.2', architecture: 'amd64', source: 'dpkg' }];
    expect(InventoryUploadSchema.safeParse({ ...base, details: { software }, hashes: { software: HASH } }).success).toBe(true);
    expect(InventoryUploadSchema.safeParse({ ...base, details: { software }, hashes: {} }).success).toBe(false);
    expect(InventoryUploadSchema.safeParse({ ...base, details: { software: [{ ...software[0], extra: 1 }] }, hashes: { software: HASH } }).success).toBe(false);
    expect(InventoryUploadSchema.safeParse({ ...base, details: { bogus: [] }, hashes: {} }).success).toBe(false);
  });
});
