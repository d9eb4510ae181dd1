// Inventory section hashes (agent-protocol §4.4): SHA-256 of the JCS of the normalised section —
// arrays sorted by their key field, percentages whole, byte counts in MiB, no `reported_at` — so a
// byte of drift does not count as a change and deltas carry only sections that really moved.

import { createHash } from 'node:crypto';
import type { InventoryDetails, InventoryHashes, InventorySectionName } from '@borealis/protocol/agent';

const MIB = 2 ** 20;

/**
 * RFC 8785 for inventory values. The protocol's canonicalJson covers signed documents only (no null,
 * no fractions); inventory holds both, and ES number formatting (JSON.stringify) is what JCS uses.
 */
export function jcs(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => jcs(v)).join(',')}]`;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jcs(v)}`).join(',')}}`;
}
const BYTE_FIELDS = new Set(['total', 'used', 'free', 'total_bytes', 'swap_total_bytes', 'capacity', 'memory_bytes']);
const PERCENT_FIELDS = new Set(['usage', 'cpu_percent']);
const KEY_FIELDS = ['drive', 'adapter', 'name', 'slot', 'user'];

function normalise(value: unknown, field = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => normalise(v));
    const key = items.length && typeof items[0] === 'object' && items[0] !== null ? KEY_FIELDS.find((k) => k in (items[0] as object)) : undefined;
    const sortKey = (v: unknown) => (key ? String((v as Record<string, unknown>)[key]) : jcs(v));
    return items.sort((a, b) => {
      const ka = sortKey(a);
      const kb = sortKey(b);
      return ka < kb ? -1 : ka > kb ? 1 : jcs(a) < jcs(b) ? -1 : 1;
    });
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'reported_at' && v !== undefined) out[k] = normalise(v, k);
    return out;
  }
  if (typeof value === 'number') {
    if (BYTE_FIELDS.has(field)) return Math.round(value / MIB);
    if (PERCENT_FIELDS.has(field)) return Math.round(value);
    return value;
  }
  return value;
}

export function sectionHash(section: unknown): string {
  return createHash('sha256').update(jcs(normalise(section)), 'utf8').digest('hex');
}

export function sectionHashes(details: InventoryDetails): InventoryHashes {
  const out: InventoryHashes = {};
  for (const [name, value] of Object.entries(details) as [InventorySectionName, unknown][]) if (value !== undefined) out[name] = sectionHash(value);
  return out;
}

/** Sections whose hash differs from what the engine last stored (a delta upload sends only these). */
export function changedSections(current: InventoryHashes, stored: InventoryHashes): InventorySectionName[] {
  return (Object.keys(current) as InventorySectionName[]).filter((s) => current[s] !== stored[s]);
}
