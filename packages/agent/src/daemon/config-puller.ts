// Config pulls (agent-protocol.md §4.5): GET /api/agent/config with If-None-Match when an ack's
// config_revision differs from the copy held, or on agent_config_changed; after U(0, 30 s) (one
// change fans out to the whole fleet) and at most once per 60 s.
import { AgentConfigSchema, type AgentConfig } from '@borealis/protocol/agent';
import { LifecycleError } from '../auth/lifecycle-error';
import type { DeviceSession } from '../auth/device-session';
import type { AgentLog } from '../runtime/agent-log';
import { uniform, type AgentRuntime, type TimerHandle } from '../runtime/runtime';

export const PULL_SPREAD_MS = 30_000;
export const PULL_MIN_GAP_MS = 60_000;

export interface ConfigPuller {
  /** A revision seen in an ack or event; schedules a pull when it differs. */
  noteRevision(revision: string): void;
  pullNow(): Promise<AgentConfig | undefined>;
  revision(): string | undefined;
  stop(): void;
}

export function createConfigPuller(deps: {
  readonly session: DeviceSession;
  readonly runtime: AgentRuntime;
  readonly log: AgentLog;
  readonly apply: (config: AgentConfig) => void;
  readonly onLifecycleError: (err: LifecycleError) => void;
}): ConfigPuller {
  const { runtime, log } = deps;
  let current: AgentConfig | undefined;
  let lastPullAt = Number.NEGATIVE_INFINITY;
  let timer: TimerHandle | undefined;
  let stopped = false;

  async function pullNow(): Promise<AgentConfig | undefined> {
    lastPullAt = runtime.now();
    const response = await deps.session.call({
      method: 'GET',
      path: '/api/agent/config',
      ...(current ? { headers: { 'if-none-match': `"${current.revision}"` } } : {}),
    });
    if (response.status === 304) return current;
    const parsed = AgentConfigSchema.safeParse(response.body);
    if (!parsed.success) {
      log.warn('agent config not understood', { issues: parsed.error.issues.length });
      return current;
    }
    current = parsed.data;
    deps.apply(parsed.data);
    log.info('agent config applied', { revision: parsed.data.revision });
    return current;
  }

  return {
    noteRevision(revision) {
      if (stopped || revision === current?.revision || timer) return;
      const wait = Math.max(uniform(runtime, 0, PULL_SPREAD_MS), lastPullAt + PULL_MIN_GAP_MS - runtime.now());
      timer = runtime.after(wait, () => {
        timer = undefined;
        if (stopped) return;
        pullNow().catch((err: unknown) => {
          if (err instanceof LifecycleError) deps.onLifecycleError(err);
          else log.warn('config pull failed', { error: (err as Error).message });
        });
      });
    },
    pullNow,
    revision: () => current?.revision,
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}
