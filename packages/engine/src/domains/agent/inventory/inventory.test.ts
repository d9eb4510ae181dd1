// Inventory uploads (P15 engine side, data-model.md §4): replace semantics, unchanged sections write
// nothing, the software difference, copied device columns, gzip bodies, and refused bad input.

import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../clock';
import { DIALECTS } from '../../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../../test/engine-harness';
import { TestAgent } from '../../../../test/test-agent';

// The engine stores the agent's hash as given; any stable digest serves for the test.
const hash = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

function inventory() {
  const details = {
    summary: {
      hostname: 'web-1', fqdn: 'web-1.lab', domain: 'lab', operating_system: 'Debian GNU/Linux 13 (trixie)',
      os: { id: 'debian', version_id: '13', kernel: '6.12.0', arch: 'x86_64' }, device_type: 'Server' as const, virtualization: 'kvm',
      manufacturer: 'QEMU', system_model: 'Standard PC', serial_number: null, bios_version: '1.16', timezone: 'UTC',
      last_reboot: '2026-11-25T03:00:00Z', last_user: 'alice', internal_ip: '10.0.0.5',
    },
    cpu: { name: 'AMD EPYC', vendor: 'AuthenticAMD', sockets: 1, physical_cores: 4, logical_cores: 8, base_clock_ghz: 2.4, arch: 'x86_64' },
    memory: { total_bytes: 8 * 1024 ** 3, swap_total_bytes: 1024 ** 3, modules: [] },
    storage: [{ drive: '/', device: '/dev/vda1', fs_type: 'ext4', disk_type: 'virtual' as const, total: 100 * 1024 ** 3, used: 60 * 1024 ** 3, free: 40 * 1024 ** 3, usage: 60 }],
    network: [{ adapter: 'eth0', mac: '52:54:00:00:00:01', ips: ['10.0.0.5/24'], link_speed: 1000, mtu: 1500, state: 'up', default_route: true }],
    software: [
      { name: 'bash', version: '5.2', architecture: 'amd64', source: 'dpkg' as const },
      { name: 'curl', version: '8.11', architecture: 'amd64', source: 'dpkg' as const },
      { name: 'OpenSSL', version: '3.4', architecture: 'amd64', source: 'dpkg' as const },
    ],
  };
  return details;
}

function upload(agent: TestAgent, details: Record<string, unknown>, full = false) {
  const hashes = Object.fromEntries(Object.entries(details).map(([k, v]) => [k, hash(v)]));
  return { agent_id: agent.agentId, hostname: agent.hostname, collected_at: '2026-11-26T06:00:00Z', full, details, hashes };
}

describe.each(DIALECTS)('inventory uploads (%s)', (dialect) => {
  const clock = createManualClock('2026-11-26T06:00:00Z');
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ dialect, clock, agent: { loops: false } });
  });
  afterAll(() => t.close());
  const db = () => t.engine.ctx.db;
  const softwareOf = async (agent: TestAgent) =>
    (
      await db()
        .selectFrom('device_software_inventory as i')
        .innerJoin('software_titles as s', 's.id', 'i.title_id')
        .select(['s.name', 'i.version'])
        .where('i.device_guid', '=', agent.rowGuid)
        .orderBy('s.name_lower')
        .execute()
    ).map((r) => `${r.name}@${r.version}`);

  it('P15: a full upload stores every section, the software rows and the copied device columns', async () => {
    const agent = await TestAgent.create(t);
    const changes: unknown[] = [];
    const listener = (e: unknown) => changes.push(e);
    t.engine.ctx.security!.deviceEvents.on('inventory_changed', listener);
    const res = await agent.call('POST', '/api/agent/details', upload(agent, inventory(), true), { headers: { 'x-forwarded-for': '203.0.113.9' } });
    t.engine.ctx.security!.deviceEvents.off('inventory_changed', listener);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, stored: ['summary', 'cpu', 'memory', 'storage', 'network', 'software'], inventory_wanted: [] });
    expect(changes).toEqual([{ guid: agent.guid, site_id: null, sections: ['summary', 'cpu', 'memory', 'storage', 'network', 'software'] }]);
    expect(await softwareOf(agent)).toEqual(['bash@5.2', 'curl@8.11', 'OpenSSL@3.4']);
    const device = await db().selectFrom('devices').selectAll().where('guid', '=', agent.rowGuid).executeTakeFirstOrThrow();
    expect(device).toMatchObject({ operating_system: 'Debian GNU/Linux 13 (trixie)', os_id: 'debian', os_version: '13', kernel: '6.12.0', device_type: 'Server', cpu_model: 'AMD EPYC', logical_cores: 8, total_ram_bytes: String(8 * 1024 ** 3), storage_free_percent: 40, external_ip: '127.0.0.1' });
    const summary = await db().selectFrom('device_inventory').select('data').where('device_guid', '=', agent.rowGuid).where('section', '=', 'summary').executeTakeFirstOrThrow();
    expect((summary.data as { external_ip: string }).external_ip).toBe('127.0.0.1');
  });

  /** Row versions (`xmin`) of the device's rows: a write of any kind gives the row a new xmin. */
  const xmins = async (table: 'device_software_inventory' | 'device_inventory' | 'devices', agent: TestAgent) => {
    const column = table === 'devices' ? 'guid' : 'device_guid';
    const { rows } = await sql<{ x: string }>`SELECT xmin::text AS x FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${agent.rowGuid} ORDER BY 1`.execute(db());
    return rows.map((r) => r.x);
  };

  it('DM14/P15: an unchanged second upload writes nothing (every xmin stays the same)', async () => {
    const agent = await TestAgent.create(t);
    await agent.call('POST', '/api/agent/details', upload(agent, inventory(), true));
    const xminsBefore = { software: await xmins('device_software_inventory', agent), sections: await xmins('device_inventory', agent), device: await xmins('devices', agent) };
    expect(xminsBefore.software).toHaveLength(3);
    const before = await db().selectFrom('device_inventory').select(['section', 'updated_at']).where('device_guid', '=', agent.rowGuid).orderBy('section').execute();
    const deviceBefore = await db().selectFrom('devices').select(['updated_at', 'version']).where('guid', '=', agent.rowGuid).executeTakeFirstOrThrow();
    clock.advance(60_000);
    const changes: unknown[] = [];
    const listener = (e: unknown) => changes.push(e);
    t.engine.ctx.security!.deviceEvents.on('inventory_changed', listener);
    const res = await agent.call('POST', '/api/agent/details', upload(agent, inventory(), true));
    t.engine.ctx.security!.deviceEvents.off('inventory_changed', listener);
    expect(res.statusCode).toBe(200);
    expect(changes).toEqual([]);
    expect(await db().selectFrom('device_inventory').select(['section', 'updated_at']).where('device_guid', '=', agent.rowGuid).orderBy('section').execute()).toEqual(before);
    expect(await db().selectFrom('devices').select(['updated_at', 'version']).where('guid', '=', agent.rowGuid).executeTakeFirstOrThrow()).toEqual(deviceBefore);
    expect({ software: await xmins('device_software_inventory', agent), sections: await xmins('device_inventory', agent), device: await xmins('devices', agent) }).toEqual(xminsBefore);
  });

  it('DM14: changing one package writes exactly one device_software_inventory row', async () => {
    const agent = await TestAgent.create(t);
    const details = inventory();
    await agent.call('POST', '/api/agent/details', upload(agent, details, true));
    const before = await xmins('device_software_inventory', agent);
    const software = details.software.map((s) => (s.name === 'curl' ? { ...s, version: '8.12' } : s));
    const res = await agent.call('POST', '/api/agent/details', upload(agent, { software }));
    expect(res.statusCode).toBe(200);
    expect(await softwareOf(agent)).toEqual(['bash@5.2', 'curl@8.12', 'OpenSSL@3.4']);
    const after = await xmins('device_software_inventory', agent);
    expect(after).toHaveLength(3);
    // Two rows keep their xmin; the changed package is the only row written.
    expect(after.filter((x) => !before.includes(x))).toHaveLength(1);
  });

  it('P15: removing a package sends only software and the package disappears; other sections stay', async () => {
    const agent = await TestAgent.create(t);
    const details = inventory();
    await agent.call('POST', '/api/agent/details', upload(agent, details, true));
    const software = details.software.filter((s) => s.name !== 'curl').map((s) => (s.name === 'bash' ? { ...s, version: '5.3' } : s));
    const res = await agent.call('POST', '/api/agent/details', upload(agent, { software }));
    expect(res.json()).toEqual({ ok: true, stored: ['software'], inventory_wanted: [] });
    expect(await softwareOf(agent)).toEqual(['bash@5.3', 'OpenSSL@3.4']);
    const sections = await db().selectFrom('device_inventory').select('section').where('device_guid', '=', agent.rowGuid).orderBy('section').execute();
    expect(sections.map((s) => s.section)).toEqual(['cpu', 'memory', 'network', 'software', 'storage', 'summary']);
  });

  it('P15: a heartbeat reporting an unknown hash is answered inventory_wanted', async () => {
    const agent = await TestAgent.create(t);
    const details = inventory();
    await agent.call('POST', '/api/agent/details', upload(agent, { cpu: details.cpu }));
    const res = await agent.call('POST', '/api/agent/heartbeat', agent.heartbeat(1, { inventory_hashes: { cpu: hash(details.cpu), software: 'b'.repeat(64) } }));
    expect(res.statusCode).toBe(200);
    expect(res.json<{ inventory_wanted: string[] }>().inventory_wanted).toEqual(['software']);
  });

  it('accepts a gzip body', async () => {
    const agent = await TestAgent.create(t);
    const res = await agent.call('POST', '/api/agent/details', upload(agent, inventory(), true), { gzip: true });
    expect(res.statusCode).toBe(200);
    expect(await softwareOf(agent)).toHaveLength(3);
  });

  it('refuses bodies over 8 MiB after decompression with 413 and stores nothing', async () => {
    const agent = await TestAgent.create(t);
    const software = Array.from({ length: 40_000 }, (_, i) => ({ name: `package-${i}-${'x'.repeat(200)}`, version: '1.0', architecture: 'amd64', source: 'dpkg' as const }));
    for (const gzip of [false, true]) {
      const res = await agent.call('POST', '/api/agent/details', upload(agent, { software }), { gzip });
      expect(res.statusCode, `gzip ${gzip}`).toBe(413);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('payload_too_large');
    }
    expect(await db().selectFrom('device_inventory').select('section').where('device_guid', '=', agent.rowGuid).execute()).toEqual([]);
  });

  it('refuses malformed sections, unknown sections and missing hashes with 422; nothing is stored', async () => {
    const agent = await TestAgent.create(t);
    const details = inventory();
    const cases = [
      upload(agent, { cpu: { ...details.cpu, logical_cores: 'eight' } }),
      upload(agent, { software: [{ ...details.software[0], extra: true }] }),
      upload(agent, { patches: [] }),
      { ...upload(agent, { cpu: details.cpu }), hashes: {} },
      { ...upload(agent, { cpu: details.cpu }), collected_at: 'yesterday' },
    ];
    for (const body of cases) {
      const res = await agent.call('POST', '/api/agent/details', body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('validation_failed');
    }
    const bad = await agent.call('POST', '/api/agent/details', undefined, { rawBody: '{"details": ' });
    expect(bad.statusCode).toBe(400);
    expect(await db().selectFrom('device_inventory').select('section').where('device_guid', '=', agent.rowGuid).execute()).toEqual([]);
    const device = await db().selectFrom('devices').select(['cpu_model', 'version']).where('guid', '=', agent.rowGuid).executeTakeFirstOrThrow();
    expect(device).toEqual({ cpu_model: null, version: 1 });
  });
});
