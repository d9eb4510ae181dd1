// The engine's loggers: one pino root writing engine.log (daily), error.log (warn and up) and
// optionally the console; api.log with one line per request; serviceLog(name) for subsystems.

import { join } from 'node:path';
import { pino, type Logger, type StreamEntry } from 'pino';
import type { Clock } from '../clock';
import { ensureDir } from '../runtime-paths';
import { createConsoleStream } from './console-stream';
import { createDailyFileStream, createFileStream, type LogFileStream } from './daily-file-stream';
import { REDACTED, redactionPaths } from './redaction';

export type { Logger } from 'pino';

export interface ApiLogEntry {
  readonly request_id: string;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly duration_ms: number;
  readonly bytes: number;
}

export interface Loggers {
  readonly root: Logger;
  /** Appends one line to api.log. */
  api(entry: ApiLogEntry): void;
  /** logs/<name>.log for a subsystem; warnings also reach error.log. */
  serviceLog(name: string): Logger;
  readonly dir: string;
  close(): void;
}

export interface CreateLoggersOptions {
  readonly dir: string;
  readonly level: string;
  readonly clock: Clock;
  /** Also print to the console (the CLI does; tests usually do not). */
  readonly console?: boolean;
}

export function createLoggers(options: CreateLoggersOptions): Loggers {
  const { dir, level, clock } = options;
  ensureDir(dir);
  const files: LogFileStream[] = [];
  const track = <T extends LogFileStream>(s: T): T => {
    files.push(s);
    return s;
  };
  const errorFile = track(createFileStream(join(dir, 'error.log')));
  const apiFile = track(createFileStream(join(dir, 'api.log')));

  const base = {
    level,
    base: { pid: process.pid },
    timestamp: () => `,"time":"${clock.now().toISOString()}"`,
    redact: { paths: redactionPaths(), censor: REDACTED },
  } as const;

  const streams: StreamEntry[] = [
    { level: 'trace', stream: track(createDailyFileStream({ path: join(dir, 'engine.log'), clock })) },
    { level: 'warn', stream: errorFile },
  ];
  if (options.console) streams.push({ level: 'trace', stream: track(createConsoleStream()) });
  const root = pino(base, pino.multistream(streams));

  const services = new Map<string, Logger>();
  return {
    root,
    dir,
    api(entry) {
      apiFile.write(`${JSON.stringify({ time: clock.now().toISOString(), ...entry })}\n`);
    },
    serviceLog(name) {
      if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) throw new Error(`invalid service log name: ${name}`);
      let logger = services.get(name);
      if (!logger) {
        const file = track(createFileStream(join(dir, `${name}.log`)));
        logger = pino(base, pino.multistream([
          { level: 'trace', stream: file },
          { level: 'warn', stream: errorFile },
        ])).child({ svc: name });
        services.set(name, logger);
      }
      return logger;
    },
    close() {
      for (const f of files.splice(0)) f.close();
    },
  };
}
