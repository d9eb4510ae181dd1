// Time, randomness and timers as one injectable object, so tests drive backoff and cadence
// distributions without sleeping (STYLE.md: time and randomness come in as deps).

export interface TimerHandle {
  cancel(): void;
}

export interface AgentRuntime {
  /** Uncorrected local time in ms (the clock offset is applied by AgentClock). */
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
  /** Runs `run` after `ms`; the handle cancels it. Timers never keep a stopped daemon alive. */
  after(ms: number, run: () => void): TimerHandle;
  /** Resolves after `ms`, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemRuntime: AgentRuntime = Object.freeze({
  now: () => Date.now(),
  random: () => Math.random(),
  after(ms: number, run: () => void): TimerHandle {
    const timer = setTimeout(run, Math.max(0, ms));
    return { cancel: () => clearTimeout(timer) };
  },
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  },
});

/** U(min, max) from the runtime's random source. */
export function uniform(runtime: Pick<AgentRuntime, 'random'>, min: number, max: number): number {
  return min + (max - min) * runtime.random();
}
