// Synthetic inventory (agent-protocol §4.4, §11): valid against the wire schemas, deterministic per
// host, hashed over the normalised section so drift below the rounding does not count as a change.

import { describe, expect, it } from 'vitest';
import { InventoryDetailsSchema } from '@borealis/protocol/agent';
import { changedSections, jcs, sectionHash, sectionHashes } from '../src/inventory-hash';
import { syntheticHost } from '../src/synthetic-host';

describe('synthetic inventory', () => {
  it('is valid for the engine and the same for the same host index', () => {
    const a = syntheticHost(42, 'sim').sections(0);
    expect(InventoryDetailsSchema.safeParse(a).success).toBe(true);
    expect(syntheticHost(42, 'sim').sections(0)).toEqual(a);
    expect(syntheticHost(43, 'sim').sections(0)).not.toEqual(a);
  });

  it('drifts over checks, and only drifted sections have new hashes', () => {
    const host = syntheticHost(7, 'sim', { softwareCount: 50, driftRate: 1 });
    const first = sectionHashes(host.sections(0));
    const later = sectionHashes(host.sections(5));
    const changed = changedSections(later, first);
    expect(changed).toContain('storage');
    expect(changed).not.toContain('cpu');
    expect(changedSections(first, first)).toEqual([]);
  });
});

describe('section hash', () => {
  it('is SHA-256 of the JCS of the normalised section: order, bytes below 1 MiB and fractions of a percent do not count', () => {
    const disk = { drive: '/', device: '/dev/sda1', fs_type: 'ext4', disk_type: 'ssd', total: 100 * 2 ** 20, used: 40 * 2 ** 20, free: 60 * 2 ** 20, usage: 40 };
    const other = { ...disk, drive: '/home' };
    expect(sectionHash([disk, other])).toBe(sectionHash([other, disk]));
    expect(sectionHash([{ ...disk, used: disk.used + 1000, usage: 40.2 }, other])).toBe(sectionHash([disk, other]));
    expect(sectionHash([{ ...disk, used: disk.used + 5 * 2 ** 20 }, other])).not.toBe(sectionHash([disk, other]));
    expect(sectionHash({ a: 1, reported_at: 'x' })).toBe(sectionHash({ a: 1 }));
    expect(sectionHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('JCS sorts keys and writes null and fractions as ES numbers', () => {
    expect(jcs({ b: 1.5, a: null, c: [true, 'x'] })).toBe('{"a":null,"b":1.5,"c":[true,"x"]}');
  });
});
