// Inventory uploads (agent-protocol.md §4.4): checks on the section cadence (300 s; software 3600 s
// and within 60 s of a dpkg/rpm database change; processes 900 s; first check at U(0, 300 s)),
// delta uploads of sections whose hash changed since the last 200, and full uploads after
// enrolment, every 24 h ± 1 h, and for sections the engine lists in `inventory_wanted`.
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { InventoryUploadResponseSchema, INVENTORY_SECTIONS, type InventorySectionName } from '@borealis/protocol/agent';
import { LifecycleError } from '../auth/lifecycle-error';
import type { DeviceSession } from '../auth/device-session';
import type { AgentLog } from '../runtime/agent-log';
import type { AgentClock } from '../runtime/clock-offset';
import { uniform, type AgentRuntime, type TimerHandle } from '../runtime/runtime';
import type { AgentStateFile } from '../state/agent-state';
import { UPLOAD_TIMEOUT_MS } from '../transport/agent-http';
import { collectSection, type CollectedSection } from './collect-sections';
import type { HostReader } from './host-reader';
import { PACKAGE_DATABASES } from './collectors/software';

export const FAST_SECTIONS: readonly InventorySectionName[] = ['summary', 'cpu', 'memory', 'storage', 'network', 'services', 'sessions'];

export interface InventoryCadence {
  readonly checkS: number;
  readonly softwareS: number;
  readonly processesS: number;
  readonly fullS: number;
}

export const DEFAULT_CADENCE: InventoryCadence = Object.freeze({ checkS: 300, softwareS: 3600, processesS: 900, fullS: 86_400 });

/** 24 h ± 1 h (scaled with the configured full interval). */
export function nextFullDelay(fullS: number, runtime: Pick<AgentRuntime, 'random'>): number {
  return (fullS + uniform(runtime, -fullS / 24, fullS / 24)) * 1000;
}

/** Sections whose hash differs from what the engine last stored (all of them for a full upload). */
export function sectionsToSend(collected: readonly CollectedSection[], stored: Readonly<Record<string, string>>, full: boolean): CollectedSection[] {
  return full ? [...collected] : collected.filter((s) => stored[s.name] !== s.hash);
}

export interface InventorySyncDeps {
  readonly session: DeviceSession;
  readonly reader: HostReader;
  readonly runtime: AgentRuntime;
  readonly clock: AgentClock;
  readonly state: AgentStateFile;
  readonly log: AgentLog;
  readonly identity: () => { agent_id: string; hostname: string };
  readonly onLifecycleError: (err: LifecycleError) => void;
  /** Watch the package databases (off in tests). */
  readonly watchPackages?: boolean;
  /** Files whose change means "software changed"; default dpkg status and the rpm databases. */
  readonly packageDatabases?: readonly string[];
}

export interface InventorySync {
  /** Starts the cadence; `fullFirst` uploads everything at once (after enrolment). */
  start(options: { readonly fullFirst: boolean }): Promise<void>;
  stop(): void;
  /** The engine asked for these sections (ack `inventory_wanted`, inventory_refresh_request). */
  request(sections: readonly string[]): void;
  /** Runs one check now; resolves with the sections sent. */
  check(sections: readonly InventorySectionName[], full: boolean): Promise<InventorySectionName[]>;
  /** What the engine has stored: the heartbeat's `inventory_hashes`. */
  hashes(): Record<string, string>;
  configure(cadence: Partial<InventoryCadence>): void;
}

export function createInventorySync(deps: InventorySyncDeps): InventorySync {
  const { runtime, log } = deps;
  let stored: Record<string, string> = {};
  /** When each section was last stored by the engine (runtime ms). */
  const sentAt = new Map<string, number>();
  let cadence: InventoryCadence = DEFAULT_CADENCE;
  const timers = new Map<string, TimerHandle>();
  const watchers: FSWatcher[] = [];
  let running = false;
  let chain: Promise<unknown> = Promise.resolve();

  function every(name: string, firstMs: number, periodMs: () => number, run: () => Promise<unknown>): void {
    const tick = (ms: number) => {
      timers.get(name)?.cancel();
      timers.set(name, runtime.after(ms, () => {
        if (!running) return;
        void run().finally(() => running && tick(periodMs()));
      }));
    };
    tick(firstMs);
  }

  async function checkNow(all: readonly InventorySectionName[], full: boolean, skipSentAfter?: number): Promise<InventorySectionName[]> {
    // A request made while an upload of the same section was in flight is already answered.
    const sections = skipSentAfter === undefined ? all : all.filter((name) => (sentAt.get(name) ?? -1) < skipSentAfter);
    const collected: CollectedSection[] = [];
    for (const name of sections) {
      try {
        collected.push(await collectSection(deps.reader, name));
      } catch (err) {
        log.warn('inventory section failed', { section: name, error: (err as Error).message });
      }
    }
    const toSend = sectionsToSend(collected, stored, full);
    if (toSend.length === 0) return [];
    const id = deps.identity();
    const answer = await deps.session.call({
      method: 'POST',
      path: '/api/agent/details',
      timeoutMs: UPLOAD_TIMEOUT_MS,
      body: {
        agent_id: id.agent_id,
        hostname: id.hostname,
        collected_at: deps.clock.now().toISOString(),
        // `full` marks an every-section upload; sections the engine asked for are sent regardless
        // of their hash, but alone they are not a full upload.
        full: full && toSend.length === INVENTORY_SECTIONS.length,
        details: Object.fromEntries(toSend.map((s) => [s.name, s.value])),
        hashes: Object.fromEntries(toSend.map((s) => [s.name, s.hash])),
      },
    });
    const parsed = InventoryUploadResponseSchema.safeParse(answer.body);
    const storedNow = parsed.success ? parsed.data.stored : toSend.map((s) => s.name);
    const now = runtime.now();
    for (const s of toSend) {
      if (!storedNow.includes(s.name)) continue;
      stored[s.name] = s.hash;
      sentAt.set(s.name, now);
    }
    const snapshot = { ...stored };
    const allSections = INVENTORY_SECTIONS.every((name) => toSend.some((s) => s.name === name));
    await deps.state.update((st) => ({
      ...st,
      inventory: { ...st.inventory, hashes: snapshot, ...(full && allSections ? { last_full_at: deps.clock.now().toISOString() } : {}) },
    }));
    log.info('inventory uploaded', { sections: toSend.map((s) => s.name).join(','), full: full && toSend.length === INVENTORY_SECTIONS.length });
    if (parsed.success && parsed.data.inventory_wanted.length > 0) request(parsed.data.inventory_wanted);
    return toSend.map((s) => s.name);
  }

  /** Checks run one at a time, so two cadences never race on `stored`. */
  function check(sections: readonly InventorySectionName[], full: boolean, skipSentAfter?: number): Promise<InventorySectionName[]> {
    const next = chain.then(() => checkNow(sections, full, skipSentAfter));
    chain = next.catch((err: unknown) => {
      if (err instanceof LifecycleError) deps.onLifecycleError(err);
      else log.warn('inventory upload failed', { error: (err as Error).message });
    });
    return next;
  }

  function request(sections: readonly string[]): void {
    const wanted = INVENTORY_SECTIONS.filter((name) => sections.includes(name));
    if (wanted.length > 0 && running) void check(wanted, true, runtime.now()).catch(() => undefined);
  }

  function watchPackages(): void {
    let pending: TimerHandle | undefined;
    for (const db of deps.packageDatabases ?? PACKAGE_DATABASES) {
      try {
        const watcher = watch(dirname(db), (_event, file) => {
          if (!running || (file && !db.endsWith(String(file)))) return;
          // Coalesce an install's burst of writes; report within 60 s of the change.
          pending?.cancel();
          pending = runtime.after(uniform(runtime, 10_000, 30_000), () => void check(['software'], false).catch(() => undefined));
        });
        watcher.unref();
        watchers.push(watcher);
      } catch {
        // That package manager is not installed.
      }
    }
  }

  return {
    async start(options) {
      if (running) return;
      running = true;
      const state = await deps.state.read();
      stored = { ...(state.inventory?.hashes ?? {}) };
      const lastFull = state.inventory?.last_full_at ? Date.parse(state.inventory.last_full_at) : undefined;
      const fullDue = options.fullFirst || lastFull === undefined;
      const firstCheck = uniform(runtime, 0, cadence.checkS * 1000);
      if (fullDue) void check(INVENTORY_SECTIONS, true).catch(() => undefined);
      const sinceFull = lastFull === undefined ? 0 : deps.clock.now().getTime() - lastFull;
      every('full', fullDue ? nextFullDelay(cadence.fullS, runtime) : Math.max(0, cadence.fullS * 1000 - sinceFull), () => nextFullDelay(cadence.fullS, runtime), () => check(INVENTORY_SECTIONS, true));
      every('fast', firstCheck, () => cadence.checkS * 1000, () => check(FAST_SECTIONS, false));
      every('software', firstCheck, () => cadence.softwareS * 1000, () => check(['software'], false));
      every('processes', firstCheck, () => cadence.processesS * 1000, () => check(['processes'], false));
      if (deps.watchPackages !== false) watchPackages();
    },
    stop() {
      running = false;
      for (const t of timers.values()) t.cancel();
      timers.clear();
      for (const w of watchers.splice(0)) w.close();
    },
    request,
    check,
    hashes: () => ({ ...stored }),
    configure(next) {
      cadence = { ...cadence, ...next };
    },
  };
}
