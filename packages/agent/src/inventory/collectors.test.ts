// The Linux collectors on this real machine: every section passes the engine's strict protocol
// schema, and the heartbeat gauges pass the heartbeat schema (agent-protocol.md §4.3, §4.4).
import { describe, expect, it } from 'vitest';
import { HeartbeatMetricsSchema, InventoryDetailsSchema, INVENTORY_SECTIONS } from '@borealis/protocol/agent';
import { createHostReader } from './host-reader';
import { collectSection } from './collect-sections';
import { createMetricsSampler } from './collectors/system-metrics';

const reader = createHostReader();

describe('inventory collectors on this host', () => {
  it('collects every section in the shape the engine accepts, with a 64-hex hash', async () => {
    for (const name of INVENTORY_SECTIONS) {
      const section = await collectSection(reader, name);
      const parsed = InventoryDetailsSchema.safeParse({ [name]: section.value });
      expect(parsed.error?.issues ?? [], name).toEqual([]);
      expect(section.hash, name).toMatch(/^[0-9a-f]{64}$/);
    }
  }, 120_000);

  it('finds this host\'s facts: OS, CPUs, memory, a root filesystem, at least one package source', async () => {
    const summary = (await collectSection(reader, 'summary')).value as { hostname: string; os: { kernel: string | null } };
    expect(summary.hostname.length).toBeGreaterThan(0);
    expect(summary.os.kernel).toMatch(/^\d+\.\d+/);
    const cpu = (await collectSection(reader, 'cpu')).value as { logical_cores: number | null };
    expect(cpu.logical_cores).toBeGreaterThan(0);
    const memory = (await collectSection(reader, 'memory')).value as { total_bytes: number };
    expect(memory.total_bytes % (1024 * 1024)).toBe(0);
    expect(memory.total_bytes).toBeGreaterThan(0);
    const processes = (await collectSection(reader, 'processes')).value as { processes: Array<{ count: number }> };
    expect(processes.processes.length).toBeGreaterThan(0);
    expect(processes.processes.length).toBeLessThanOrEqual(100);
  }, 60_000);

  it('hashes an unchanged section identically on a second collection', async () => {
    for (const name of ['cpu', 'memory', 'software', 'network'] as const) {
      const [a, b] = [await collectSection(reader, name), await collectSection(reader, name)];
      expect(b.hash, name).toBe(a.hash);
    }
  }, 120_000);
});

describe('heartbeat gauges on this host', () => {
  it('samples metrics, boot id and uptime that pass the heartbeat schema', async () => {
    const sample = await createMetricsSampler(reader).sample(Date.now());
    expect(HeartbeatMetricsSchema.safeParse(sample.metrics).error?.issues ?? []).toEqual([]);
    expect(sample.boot_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sample.uptime_s).toBeGreaterThan(0);
    expect(sample.disks.length).toBeLessThanOrEqual(32);
    for (const disk of sample.disks) expect(Number.isInteger(disk.usage)).toBe(true);
  });
});
