// The bundled official Linux set (automation.md §1.7): the shipped items match the catalog and the
// shell sources, every script parses (`bash -n`), and the read-only ones run for real on this host
// with their variables resolved as a dispatch would, giving the documented exit codes and output.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveVariables } from './assembly-variables';
import { OFFICIAL_CATALOG } from './official-catalog';
import { buildOfficialSet, loadOfficialSet, OFFICIAL_DIR } from './official-set';

const dir = mkdtempSync(join(tmpdir(), 'borealis-official-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const items = loadOfficialSet();
const byName = (name: string) => {
  const item = items.find((i) => i.display_name === `Linux - ${name}`);
  if (!item) throw new Error(`no official assembly ${name}`);
  return item;
};
const hasSystemd = existsSync('/run/systemd/system');
const has = (cmd: string) => spawnSync('/bin/sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Runs an item as the agent does (`/bin/bash --noprofile --norc <tmpfile>`, agent-protocol §6.3). */
function run(name: string, overrides: Record<string, unknown> = {}) {
  const item = byName(name);
  const file = join(dir, `${item.assembly_guid}.sh`);
  writeFileSync(file, item.normalized.payload.script, { mode: 0o600 });
  const { environment } = resolveVariables(item.normalized.payload, overrides, {
    JOB_ID: '00000000-0000-4000-8000-000000000001',
    DEVICE_GUID: '00000000-0000-4000-8000-000000000002',
    HOSTNAME: 'test-host',
    SITE_ID: 1,
    ASSEMBLY_GUID: item.assembly_guid,
    ASSEMBLY_REVISION: 1,
  });
  const result = spawnSync('/bin/bash', ['--noprofile', '--norc', file], {
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...environment },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, warning: item.normalized.payload.warning_exit_codes };
}

describe('official Linux set (automation.md §1.7)', () => {
  it('ships all 13 names with fixed GUIDs, and the item files match the catalog and the shell sources', () => {
    expect(items.map((i) => i.display_name)).toEqual([
      'Linux - System Information',
      'Linux - Disk Usage',
      'Linux - Service Status',
      'Linux - Restart Service',
      'Linux - Install Package',
      'Linux - Remove Package',
      'Linux - List Pending Updates',
      'Linux - Update Packages',
      'Linux - Reboot Required Check',
      'Linux - Collect Logs',
      'Linux - Top Processes',
      'Linux - Network Diagnostics',
      'Linux - Reboot',
    ]);
    const built = buildOfficialSet();
    expect(JSON.parse(readFileSync(join(OFFICIAL_DIR, 'manifest.json'), 'utf8'))).toEqual(built.manifest);
    for (const item of built.items) {
      expect(JSON.parse(readFileSync(join(OFFICIAL_DIR, item.source_path), 'utf8')), `${item.display_name}: run npm run official:build`).toEqual(item);
    }
    expect(new Set(items.map((i) => i.assembly_guid)).size).toBe(13);
    expect(OFFICIAL_CATALOG.map((e) => e.guid)).toEqual(items.map((i) => i.assembly_guid));
  });

  it('declares the variables §1.7 names', () => {
    const vars = (name: string) => byName(name).normalized.payload.variables.map((v) => [v.name, v.type, v.required]);
    expect(vars('Disk Usage')).toEqual([['WARN_PERCENT', 'number', false]]);
    expect(vars('Restart Service')).toEqual([['SERVICE_NAME', 'string', true]]);
    expect(vars('Install Package')).toEqual([['PACKAGE_NAME', 'string', true]]);
    expect(vars('Remove Package')).toEqual([['PACKAGE_NAME', 'string', true]]);
    expect(vars('Update Packages')).toEqual([['SECURITY_ONLY', 'boolean', false]]);
    expect(vars('Collect Logs').slice(0, 2)).toEqual([['UNIT', 'string', false], ['SINCE_HOURS', 'number', false]]);
    expect(vars('Reboot')).toEqual([['DELAY_MINUTES', 'number', false]]);
    expect(byName('Disk Usage').normalized.payload.warning_exit_codes).toEqual([2]);
  });

  it.each(items.map((i) => [i.display_name, i] as const))('%s parses with bash -n', (_name, item) => {
    const file = join(dir, `${item.assembly_guid}-syntax.sh`);
    writeFileSync(file, item.normalized.payload.script);
    const r = spawnSync('/bin/bash', ['-n', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('System Information runs and reports host, kernel, CPU, memory and disks', () => {
    const r = run('System Information');
    expect(r.code, r.stderr).toBe(0);
    for (const s of ['== Host ==', 'Kernel: Linux', '== CPU ==', '== Memory ==', '== Disks ==', '== Network ==']) expect(r.stdout).toContain(s);
  });

  it('Disk Usage exits 0 under the threshold and 2 (a declared warning code) above it', () => {
    const ok = run('Disk Usage', { WARN_PERCENT: 100 });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('OK: no filesystem above 100%');
    expect(ok.stdout).toMatch(/\d+%\s+\/\S*/);
    const warn = run('Disk Usage', { WARN_PERCENT: '0' });
    expect(warn.code).toBe(2);
    expect(warn.warning).toContain(2);
    expect(warn.stdout).toMatch(/WARNING: \d+ filesystem\(s\) above 0%/);
    expect(run('Disk Usage').stdout).toContain('above 90%');
    expect(run('Disk Usage', { WARN_PERCENT: 250 }).code).toBe(1);
  });

  it('Service Status lists services (or says there is no systemd) and refuses a bad unit name', () => {
    const r = run('Service Status');
    if (hasSystemd) {
      expect([0, 2]).toContain(r.code);
      expect(r.stdout).toContain('== Failed units ==');
    } else {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('systemd is not running on this host');
    }
    const bad = run('Service Status', { SERVICE_NAME: 'x; rm -rf /' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('characters a unit name cannot have');
  });

  it('Top Processes shows COUNT rows by CPU and by memory', () => {
    const r = run('Top Processes', { COUNT: 3 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('== Top 3 by CPU ==');
    expect(r.stdout).toContain('== Top 3 by memory ==');
    const cpuTable = r.stdout.split('== Top 3 by CPU ==\n')[1]!.split('\n\n')[0]!.trim().split('\n');
    expect(cpuTable[0]).toMatch(/PID\s+USER\s+%CPU/);
    expect(cpuTable).toHaveLength(4);
  });

  it('Reboot Required Check answers 2 exactly when a reboot is pending', () => {
    const r = run('Reboot Required Check');
    if (existsSync('/var/run/reboot-required')) {
      expect(r.code).toBe(2);
    } else if (!has('needs-restarting') && !has('rpm')) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('No reboot required');
    } else {
      expect([0, 2]).toContain(r.code);
    }
  });

  it('Network Diagnostics reports addresses, routes, DNS and ports; a bad TARGET is refused', () => {
    const r = run('Network Diagnostics');
    expect(r.code, r.stderr).toBe(0);
    for (const s of ['== Addresses ==', '== Routes ==', '== DNS ==', '== Listening ports ==']) expect(r.stdout).toContain(s);
    expect(run('Network Diagnostics', { TARGET: 'a b' }).code).toBe(1);
    const local = run('Network Diagnostics', { TARGET: 'localhost' });
    expect(local.stdout).toContain('Resolves to:');
  });

  it.runIf(has('apt-get'))('List Pending Updates counts upgradable packages from the apt index', () => {
    const r = run('List Pending Updates');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Pending updates: \d+ \(security: \d+\)/);
  });

  it('Collect Logs reads the journal or syslog, or says there is none', () => {
    const r = run('Collect Logs', { SINCE_HOURS: 1, MAX_LINES: 5 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Journal since|No systemd journal/);
    expect(run('Collect Logs', { UNIT: 'x;y' }).code).toBe(1);
  });

  it('the state-changing ones refuse bad input before touching anything', () => {
    expect(run('Restart Service', { SERVICE_NAME: 'a|b' }).code).toBe(1);
    const install = run('Install Package', { PACKAGE_NAME: 'curl;reboot' });
    expect(install.code).toBe(1);
    expect(install.stderr).toContain('Invalid package name');
    expect(run('Remove Package', { PACKAGE_NAME: '$(id)' }).code).toBe(1);
    expect(run('Reboot', { DELAY_MINUTES: 5000 }).stderr).toContain('at most 1440');
  });
});
