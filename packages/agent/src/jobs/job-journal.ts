// The job journal (agent-protocol.md §6.2, automation.md §2.5): one fsync'd file per accepted job
// under <stateDir>/journal, so a job never runs twice and an unacked result survives restarts.
// Entries are kept 7 days after acceptance.
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { QuickJobResult } from '@borealis/protocol/agent';

export const JOURNAL_RETENTION_MS = 7 * 86_400_000;

export interface JournalEntry {
  readonly job_id: string;
  readonly accepted_at: string;
  /** accepted → started → finished; a job still `started` at boot was cut off by a restart. */
  readonly state: 'accepted' | 'started' | 'finished';
  readonly result?: QuickJobResult;
  readonly result_acked?: boolean;
  /** Process-group leader of a started job, to stop its leftovers after an agent restart. */
  readonly pid?: number;
}

export interface JobJournal {
  get(jobId: string): Promise<JournalEntry | undefined>;
  put(entry: JournalEntry): Promise<void>;
  list(): Promise<JournalEntry[]>;
  /** Drops entries accepted more than 7 days before `nowMs`. */
  prune(nowMs: number): Promise<void>;
}

export function createJobJournal(stateDir: string): JobJournal {
  const dir = join(stateDir, 'journal');
  const file = (jobId: string) => join(dir, `${jobId}.json`);
  /** Writes of one job run in order (they share a temp file, and the last state must win). */
  const chains = new Map<string, Promise<void>>();

  async function fsyncPath(path: string): Promise<void> {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async function write(entry: JournalEntry): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file(entry.job_id)}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(entry));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file(entry.job_id));
    // The rename itself must survive a power cut, so sync the directory too.
    await fsyncPath(dir);
  }

  return {
    async get(jobId) {
      try {
        return JSON.parse(await readFile(file(jobId), 'utf8')) as JournalEntry;
      } catch {
        return undefined;
      }
    },
    put(entry) {
      const previous = chains.get(entry.job_id) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => write(entry));
      chains.set(entry.job_id, next);
      next.then(
        () => chains.get(entry.job_id) === next && chains.delete(entry.job_id),
        () => chains.get(entry.job_id) === next && chains.delete(entry.job_id),
      );
      return next;
    },
    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return [];
      }
      const entries: JournalEntry[] = [];
      for (const name of names.filter((n) => n.endsWith('.json'))) {
        try {
          entries.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as JournalEntry);
        } catch {
          // A torn temp or foreign file: ignore it.
        }
      }
      return entries;
    },
    async prune(nowMs) {
      for (const entry of await this.list()) {
        if (nowMs - Date.parse(entry.accepted_at) > JOURNAL_RETENTION_MS) await rm(file(entry.job_id), { force: true });
      }
    },
  };
}
