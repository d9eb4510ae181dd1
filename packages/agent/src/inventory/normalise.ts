// Normalisation and hashing of inventory sections (agent-protocol.md §4.4): arrays sorted by their
// key field, percentages as whole numbers, byte counts rounded to whole MiB, no `reported_at`;
// hash = lower-hex SHA-256 of the JCS of the normalised section. The normalised value is also what
// is sent, so the engine stores exactly what the hash covers and a 1 KiB wobble is not a change.
import { createHash } from 'node:crypto';
import { canonicalJson, type InventorySectionName } from '@borealis/protocol/agent';

const MIB = 1024 * 1024;
const BYTE_FIELDS = new Set(['total_bytes', 'swap_total_bytes', 'capacity', 'total', 'used', 'free', 'memory_bytes']);
const PERCENT_FIELDS = new Set(['usage', 'cpu_percent']);
/** The key field each array section is sorted by. */
const SORT_KEYS: Readonly<Record<string, readonly string[]>> = {
  storage: ['drive'],
  network: ['adapter'],
  software: ['name', 'architecture', 'version'],
  services: ['name'],
  modules: ['slot', 'serial'],
  sessions: ['started_at', 'user', 'tty'],
  ips: [],
};

export function roundMiB(bytes: number): number {
  return Math.round(bytes / MIB) * MIB;
}

function sortRows(name: string, rows: unknown[]): unknown[] {
  const keys = SORT_KEYS[name];
  if (keys === undefined) return rows;
  const keyOf = (row: unknown) =>
    keys.length === 0 ? String(row) : keys.map((k) => String((row as Record<string, unknown>)[k] ?? '')).join('\u0000');
  return [...rows].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

function normaliseValue(key: string, value: unknown): unknown {
  if (Array.isArray(value)) return sortRows(key, value.map((item) => normaliseValue('', item)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reported_at' || v === undefined) continue;
      out[k] = normaliseValue(k, v);
    }
    return out;
  }
  if (typeof value === 'number') {
    if (BYTE_FIELDS.has(key)) return roundMiB(value);
    if (PERCENT_FIELDS.has(key)) return Math.round(value);
  }
  return value;
}

/** The normalised section; the top-level array (or `processes`/`sessions` list) is sorted too. */
export function normaliseSection<T>(name: InventorySectionName, value: T): T {
  const normalised = normaliseValue(name, value);
  if (name === 'sessions' && normalised && typeof normalised === 'object' && 'sessions' in normalised) {
    const inner = normalised as { sessions: unknown[] };
    return { ...inner, sessions: sortRows('sessions', inner.sessions) } as T;
  }
  return normalised as T;
}

/**
 * JCS proper (canonicalJson) covers strings, booleans, integers, arrays and objects. Inventory also
 * has nulls and a few decimals (load, GHz): nulls become the string "\u0000null" and decimals
 * their shortest JSON text as a string, so the input to canonicalJson stays in its value set.
 */
function hashable(value: unknown): unknown {
  if (value === null) return '\u0000null';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : `\u0000${JSON.stringify(value)}`;
  if (Array.isArray(value)) return value.map(hashable);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, hashable(v)]));
  return value;
}

export function sectionHash(normalised: unknown): string {
  return createHash('sha256').update(canonicalJson(hashable(normalised)), 'utf8').digest('hex');
}
