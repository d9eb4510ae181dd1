// The log viewer's file access (routes.tsv group `logs`): lists Engine/Services/<service>/logs/*,
// reads a file from its end, applies retention to rolled files. A file is only ever reached by a
// `<service>:<file>` name taken from the listing, so no request path can leave the log root.

import { closeSync, existsSync, lstatSync, openSync, readdirSync, readSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEntries, LogEntriesQuery, LogFile } from '@borealis/protocol';
import type { Clock } from '../../clock';
import { AppError } from '../../errors';

/** Rolled files (engine.log.2026-11-25, engine.log.2026-11-25.1) carry the day they cover. */
const ROLLED = /^(.+\.log)\.(\d{4}-\d{2}-\d{2})(\.\d+)?$/;
/** Reading stops this far back from the end: the viewer pages recent lines, not whole archives. */
const MAX_READ_BYTES = 32 * 1024 * 1024;
const DAY_MS = 86_400_000;

export interface LogFilesDeps {
  /** Engine/Services. */
  readonly servicesRoot: string;
  readonly clock: Clock;
}

interface Located extends LogFile {
  readonly path: string;
}

export function createLogFiles(deps: LogFilesDeps) {
  const { servicesRoot, clock } = deps;

  function scan(retention: (name: string) => number): Located[] {
    if (!existsSync(servicesRoot)) return [];
    const out: Located[] = [];
    for (const service of readdirSync(servicesRoot).sort()) {
      const dir = join(servicesRoot, service, 'logs');
      if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
      for (const file of readdirSync(dir).sort()) {
        const path = join(dir, file);
        // lstat: a symlink dropped into a logs folder must not lead the viewer elsewhere.
        const st = lstatSync(path);
        if (!st.isFile()) continue;
        const name = `${service}:${file}`;
        out.push({ name, service, file, path, size_bytes: st.size, modified: st.mtime.toISOString(), retention_days: retention(baseName(name)) });
      }
    }
    return out;
  }

  function find(name: string): Located {
    const hit = scan(() => 0).find((f) => f.name === name);
    if (!hit) throw new AppError('not_found', 'no such log file');
    return hit;
  }

  return {
    /** Lists every log file; rolled files older than their retention are removed first. */
    list(retention: (name: string) => number): { logs: LogFile[]; deleted: string[] } {
      const deleted: string[] = [];
      const now = clock.now().getTime();
      for (const f of scan(retention)) {
        const m = ROLLED.exec(f.file);
        if (!m) continue;
        const day = Date.parse(`${m[2]}T00:00:00Z`);
        if (now - day > (f.retention_days + 1) * DAY_MS) {
          unlinkSync(f.path);
          deleted.push(f.name);
        }
      }
      return { logs: scan(retention).map(({ path: _path, ...rest }) => rest), deleted };
    },

    read(name: string, query: LogEntriesQuery): LogEntries {
      const f = find(name);
      const text = readTail(f.path, f.size_bytes);
      const lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      const needle = query.filter?.toLowerCase();
      const matching = needle ? lines.filter((l) => l.toLowerCase().includes(needle)) : lines;
      const end = Math.max(0, matching.length - query.offset);
      const start = Math.max(0, end - query.limit);
      const entries = matching.slice(start, end);
      return { file: f.name, entries, total_lines: matching.length, returned_lines: entries.length, truncated: start > 0, size_bytes: f.size_bytes, modified: f.modified };
    },

    /** Rolled files are deleted; a live file (still open for appends) is emptied instead. */
    remove(name: string): { deleted: boolean; truncated: boolean } {
      const f = find(name);
      if (ROLLED.test(f.file)) {
        unlinkSync(f.path);
        return { deleted: true, truncated: false };
      }
      truncateSync(f.path, 0);
      return { deleted: false, truncated: true };
    },

    names(): string[] {
      return scan(() => 0).map((f) => f.name);
    },
  };
}

export type LogFiles = ReturnType<typeof createLogFiles>;

/** The retention key of a file: rolled files follow their live file's setting. */
export function baseName(name: string): string {
  const [service, file] = splitName(name);
  const m = ROLLED.exec(file);
  return `${service}:${m ? m[1] : file}`;
}

function splitName(name: string): [string, string] {
  const i = name.indexOf(':');
  return [name.slice(0, i), name.slice(i + 1)];
}

function readTail(path: string, size: number): string {
  const length = Math.min(size, MAX_READ_BYTES);
  const buf = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  let text = buf.toString('utf8');
  // A cut in the middle of a line would show half a line; drop it.
  if (length < size) text = text.slice(text.indexOf('\n') + 1);
  return text;
}
