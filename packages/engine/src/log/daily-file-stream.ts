// A log file that rolls over at UTC midnight: engine.log becomes engine.log.YYYY-MM-DD and a
// fresh engine.log starts. Rolled files are never deleted here (retention is an operator choice).

import { closeSync, existsSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import type { Clock } from '../clock';

export interface LogFileStream {
  write(chunk: string): void;
  close(): void;
}

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function createDailyFileStream(deps: { path: string; clock: Clock }): LogFileStream {
  const { path, clock } = deps;
  let day = utcDay(clock.now());
  // A file left by a run on an earlier day belongs to that day, not to today.
  if (existsSync(path)) {
    const fileDay = utcDay(statSync(path).mtime);
    if (fileDay < day) renameSync(path, freeName(`${path}.${fileDay}`));
  }
  let fd: number | undefined = openSync(path, 'a', 0o640);

  return {
    write(chunk) {
      if (fd === undefined) return;
      const today = utcDay(clock.now());
      if (today !== day) {
        closeSync(fd);
        renameSync(path, freeName(`${path}.${day}`));
        fd = openSync(path, 'a', 0o640);
        day = today;
      }
      writeSync(fd, chunk);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** A plain append-only log file (error.log, api.log, <service>.log). */
export function createFileStream(path: string): LogFileStream {
  let fd: number | undefined = openSync(path, 'a', 0o640);
  return {
    write(chunk) {
      if (fd !== undefined) writeSync(fd, chunk);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

function freeName(candidate: string): string {
  if (!existsSync(candidate)) return candidate;
  for (let n = 1; ; n += 1) {
    const next = `${candidate}.${n}`;
    if (!existsSync(next)) return next;
  }
}
