// The per-process Aegis keyring (security.md §3.4): unwrapped data keys in ring-owned
// `Buffer.alloc` memory, the active key id, and zeroing at force reset and shutdown.

import { LockedError } from '../../../errors';
import { DATA_KEY_BYTES, KEY_ID_PATTERN, type DataKey } from './data-key';

export interface Keyring {
  readonly isUnlocked: boolean;
  readonly activeKeyId: string | null;
  /**
   * Replaces the ring's contents with copies of `keys` (key_id → 32 bytes) and makes
   * `activeKeyId` the key new envelopes use. The caller still owns and should zero its buffers;
   * buffers the ring held before are zeroed.
   */
  load(keys: ReadonlyMap<string, Buffer>, activeKeyId: string): void;
  /** The key writers encrypt with; throws 423 `aegis_locked` while the ring is empty. */
  activeKey(): DataKey;
  /** A non-retired key by id, or undefined (unknown, retired, or ring locked). */
  key(id: string): Buffer | undefined;
  keyIds(): string[];
  /** Fills every key with zeros and empties the ring, which is then locked. */
  zero(): void;
}

export function createKeyring(): Keyring {
  const keys = new Map<string, Buffer>();
  let activeKeyId: string | null = null;

  function zero(): void {
    zeroBuffers(...keys.values());
    keys.clear();
    activeKeyId = null;
  }

  return {
    get isUnlocked() {
      return activeKeyId !== null;
    },
    get activeKeyId() {
      return activeKeyId;
    },
    load(next, nextActiveKeyId) {
      for (const [id, key] of next) {
        if (!KEY_ID_PATTERN.test(id)) throw new RangeError('a key id is 8 lower-case hex digits');
        if (key.length !== DATA_KEY_BYTES) throw new RangeError('a data key must be 32 bytes');
      }
      if (!next.has(nextActiveKeyId)) throw new RangeError('the active key id is not among the keys');
      // Copy before zeroing: the caller may pass buffers this ring handed out.
      const copies = new Map<string, Buffer>();
      for (const [id, key] of next) {
        const own = Buffer.alloc(DATA_KEY_BYTES);
        key.copy(own);
        copies.set(id, own);
      }
      zero();
      for (const [id, own] of copies) keys.set(id, own);
      activeKeyId = nextActiveKeyId;
    },
    activeKey() {
      const key = activeKeyId === null ? undefined : keys.get(activeKeyId);
      if (activeKeyId === null || !key) throw new LockedError('aegis_locked', 'Aegis is locked; unlock it first');
      return { keyId: activeKeyId, key };
    },
    key(id) {
      return keys.get(id);
    },
    keyIds() {
      return [...keys.keys()];
    },
    zero,
  };
}

/** Overwrites each buffer with zeros; null and undefined are skipped so `finally` blocks stay short. */
export function zeroBuffers(...buffers: ReadonlyArray<Buffer | null | undefined>): void {
  for (const buffer of buffers) buffer?.fill(0);
}
