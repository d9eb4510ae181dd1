// §4.4 normalisation and hashing: arrays sorted by their key field, whole percentages, bytes to
// MiB, no reported_at; equal content gives equal hashes whatever the order; deltas send only
// changed sections.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '@borealis/protocol/agent';
import { createHash } from 'node:crypto';
import { normaliseSection, roundMiB, sectionHash } from './normalise';
import { sectionsToSend } from './inventory-sync';

const disk = (drive: string, used: number) => ({ drive, device: `/dev/${drive.length}`, fs_type: 'ext4', disk_type: 'ssd', total: 10 * 2 ** 30 + 1234, used, free: 2 ** 30, usage: 42.6 });

describe('inventory normalisation (§4.4)', () => {
  it('sorts arrays by their key field and rounds bytes and percentages', () => {
    const value = normaliseSection('storage', [disk('/var', 5 * 2 ** 30 + 100), disk('/', 2 ** 20 * 3 + 7)]);
    expect(value.map((d) => d.drive)).toEqual(['/', '/var']);
    expect(value[0]).toMatchObject({ total: 10 * 2 ** 30, used: 3 * 2 ** 20, usage: 43 });
    expect(roundMiB(2 ** 20 * 1.4)).toBe(2 ** 20);
  });

  it('drops reported_at and hashes equal content equally regardless of order', () => {
    const a = normaliseSection('software', [
      { name: 'zsh', version: '5.9', architecture: 'amd64', source: 'dpkg' },
      { name: 'bash', version: '5.2', architecture: 'amd64', source: 'dpkg' },
    ]);
    const b = normaliseSection('software', [
      { name: 'bash', version: '5.2', architecture: 'amd64', source: 'dpkg', reported_at: 'now' },
      { name: 'zsh', version: '5.9', architecture: 'amd64', source: 'dpkg' },
    ]);
    expect(sectionHash(a)).toBe(sectionHash(b));
    expect(sectionHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is SHA-256 of JCS for the JCS value set, and still defined for nulls and decimals', () => {
    const plain = { b: [1, 2], a: 'x' };
    expect(sectionHash(plain)).toBe(createHash('sha256').update(canonicalJson(plain)).digest('hex'));
    expect(sectionHash({ a: null, ghz: 2.6 })).not.toBe(sectionHash({ a: 'null', ghz: 2.6 }));
    expect(sectionHash({ ghz: 2.6 })).not.toBe(sectionHash({ ghz: 2.7 }));
  });

  it('P15: an unchanged second check sends nothing; a removed package sends only software', () => {
    const software = normaliseSection('software', [{ name: 'bash', version: '5.2', architecture: 'amd64', source: 'dpkg' }]);
    const cpu = { name: 'CPU', vendor: null, sockets: 1, physical_cores: 2, logical_cores: 2, base_clock_ghz: 2.6, arch: 'x86_64' };
    const first = [
      { name: 'software' as const, value: software, hash: sectionHash(software) },
      { name: 'cpu' as const, value: cpu, hash: sectionHash(cpu) },
    ];
    const stored = Object.fromEntries(first.map((s) => [s.name, s.hash]));
    expect(sectionsToSend(first, stored, false)).toEqual([]);
    const removed = normaliseSection('software', [] as typeof software);
    const second = [{ name: 'software' as const, value: removed, hash: sectionHash(removed) }, first[1]!];
    expect(sectionsToSend(second, stored, false).map((s) => s.name)).toEqual(['software']);
    expect(sectionsToSend(second, stored, true).map((s) => s.name)).toEqual(['software', 'cpu']);
  });
});
