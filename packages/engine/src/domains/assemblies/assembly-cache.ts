// The assembly cache on the EngineContext (automation.md §1.3): an LRU of immutable revisions by
// (guid, revision) bounded by bytes, plus "latest revision" pointers that expire after 60 s.

import type { Clock } from '../../clock';

export const ASSEMBLY_CACHE_MAX_BYTES = 64 * 1024 * 1024;
export const LATEST_MAX_AGE_MS = 60_000;

export interface AssemblyCache<T> {
  get(guid: string, revision: number): T | undefined;
  set(guid: string, revision: number, value: T, bytes: number): void;
  latest(guid: string): number | undefined;
  setLatest(guid: string, revision: number): void;
  /** Drops the latest pointer (after a save or `assembly_changed`); revisions stay valid. */
  invalidate(guid: string): void;
  /** Drops every latest pointer (the signal connection came back: changes may have been missed). */
  invalidateAll(): void;
  /** Drops the guid entirely (delete). */
  forget(guid: string): void;
  readonly bytes: number;
}

export function createAssemblyCache<T>(deps: { readonly clock: Clock; readonly maxBytes?: number }): AssemblyCache<T> {
  const maxBytes = deps.maxBytes ?? ASSEMBLY_CACHE_MAX_BYTES;
  // Map iteration order is insertion order: re-inserting on hit makes the first key the LRU one.
  const entries = new Map<string, { value: T; bytes: number }>();
  const latest = new Map<string, { revision: number; at: number }>();
  let total = 0;
  const keyOf = (guid: string, revision: number) => `${guid}@${revision}`;
  const drop = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    total -= e.bytes;
  };

  return {
    get(guid, revision) {
      const key = keyOf(guid, revision);
      const e = entries.get(key);
      if (!e) return undefined;
      entries.delete(key);
      entries.set(key, e);
      return e.value;
    },
    set(guid, revision, value, bytes) {
      if (bytes > maxBytes) return;
      const key = keyOf(guid, revision);
      drop(key);
      entries.set(key, { value, bytes });
      total += bytes;
      while (total > maxBytes) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        drop(oldest);
      }
    },
    latest(guid) {
      const l = latest.get(guid);
      if (!l) return undefined;
      if (deps.clock.now().getTime() - l.at >= LATEST_MAX_AGE_MS) {
        latest.delete(guid);
        return undefined;
      }
      return l.revision;
    },
    setLatest(guid, revision) {
      latest.set(guid, { revision, at: deps.clock.now().getTime() });
    },
    invalidate(guid) {
      latest.delete(guid);
    },
    invalidateAll() {
      latest.clear();
    },
    forget(guid) {
      latest.delete(guid);
      for (const key of [...entries.keys()]) if (key.startsWith(`${guid}@`)) drop(key);
    },
    get bytes() {
      return total;
    },
  };
}
