// A deterministic AgentRuntime for unit tests: a seeded PRNG (mulberry32) and a manual clock whose
// timers fire when the test advances time. No sleeping.
import type { AgentRuntime, TimerHandle } from '../src/runtime/runtime';

export interface ManualRuntime extends AgentRuntime {
  advance(ms: number): Promise<void>;
  pending(): number;
}

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function manualRuntime(seed = 1, start = Date.parse('2026-11-26T07:00:00Z')): ManualRuntime {
  let now = start;
  const random = seededRandom(seed);
  let timers: Array<{ at: number; run: () => void; id: number }> = [];
  let nextId = 0;
  const after = (ms: number, run: () => void): TimerHandle => {
    const id = nextId++;
    timers.push({ at: now + Math.max(0, ms), run, id });
    return { cancel: () => (timers = timers.filter((t) => t.id !== id)) };
  };
  return {
    now: () => now,
    random,
    after,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        const handle = after(ms, resolve);
        signal?.addEventListener('abort', () => (handle.cancel(), resolve()), { once: true });
      }),
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        // Let pending promise chains register their timers first.
        await new Promise((r) => setImmediate(r));
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > until) break;
        timers = timers.slice(1);
        now = next.at;
        next.run();
      }
      now = until;
    },
    pending: () => timers.length,
  };
}
