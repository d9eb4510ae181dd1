// Log files: where they are, daily rotation of engine.log under a controlled clock, one api.log
// line per request, warnings in error.log, secrets redacted by key name.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { startTestEngine } from '../../test/engine-harness';
import { createDailyFileStream } from './daily-file-stream';
import { createLoggers } from './loggers';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'borealis-log-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe('engine.log daily rotation', () => {
  it('rolls engine.log to engine.log.YYYY-MM-DD at UTC midnight and starts a fresh file', () => {
    const dir = tempDir();
    const clock = createManualClock('2026-11-25T23:59:58Z');
    const loggers = createLoggers({ dir, level: 'info', clock });
    loggers.root.info('before midnight');
    clock.set('2026-11-26T00:00:01Z');
    loggers.root.info('after midnight');
    clock.set('2026-11-27T08:00:00Z');
    loggers.root.info('next day');
    loggers.close();

    expect(readdirSync(dir).sort()).toEqual(['api.log', 'engine.log', 'engine.log.2026-11-25', 'engine.log.2026-11-26', 'error.log']);
    expect(lines(join(dir, 'engine.log.2026-11-25')).map((l) => JSON.parse(l).msg)).toEqual(['before midnight']);
    expect(lines(join(dir, 'engine.log.2026-11-26')).map((l) => JSON.parse(l).msg)).toEqual(['after midnight']);
    expect(lines(join(dir, 'engine.log')).map((l) => JSON.parse(l).msg)).toEqual(['next day']);
    expect(JSON.parse(lines(join(dir, 'engine.log'))[0]!).time).toBe('2026-11-27T08:00:00.000Z');
  });

  it('files a log left by a run on an earlier day under that day when starting', () => {
    const dir = tempDir();
    const path = join(dir, 'engine.log');
    writeFileSync(path, '{"msg":"old run"}\n');
    utimesSync(path, new Date('2026-11-20T10:00:00Z'), new Date('2026-11-20T10:00:00Z'));
    const stream = createDailyFileStream({ path, clock: createManualClock('2026-11-26T09:00:00Z') });
    stream.write('{"msg":"today"}\n');
    stream.close();
    expect(readFileSync(join(dir, 'engine.log.2026-11-20'), 'utf8')).toContain('old run');
    expect(readFileSync(path, 'utf8')).toBe('{"msg":"today"}\n');
  });

  it('never overwrites an existing rolled file', () => {
    const dir = tempDir();
    const path = join(dir, 'engine.log');
    writeFileSync(join(dir, 'engine.log.2026-11-25'), 'kept\n');
    const clock = createManualClock('2026-11-25T12:00:00Z');
    const stream = createDailyFileStream({ path, clock });
    stream.write('second\n');
    clock.set('2026-11-26T00:00:00Z');
    stream.write('third\n');
    stream.close();
    expect(readFileSync(join(dir, 'engine.log.2026-11-25'), 'utf8')).toBe('kept\n');
    expect(readFileSync(join(dir, 'engine.log.2026-11-25.1'), 'utf8')).toBe('second\n');
  });
});

describe('loggers', () => {
  it('writes warnings and errors to error.log as well, and not info', () => {
    const dir = tempDir();
    const loggers = createLoggers({ dir, level: 'info', clock: createManualClock('2026-11-26T00:00:00Z') });
    loggers.root.info('routine');
    loggers.root.warn('odd');
    loggers.root.error('broken');
    loggers.close();
    expect(lines(join(dir, 'error.log')).map((l) => JSON.parse(l).msg)).toEqual(['odd', 'broken']);
    expect(lines(join(dir, 'engine.log'))).toHaveLength(3);
  });

  it('redacts secrets by key name at any of the first four levels and in headers', () => {
    const dir = tempDir();
    const loggers = createLoggers({ dir, level: 'info', clock: createManualClock('2026-11-26T00:00:00Z') });
    loggers.root.info(
      {
        password: 'hunter2-top',
        user: { refresh_token: 'rt-secret-1', profile: { otpauth_url: 'otpauth://secret-2', deep: { cipher: 'cipher-secret-3' } } },
        req: { headers: { authorization: 'DPoP jwt-secret-4', cookie: 'borealis_session=secret-5', accept: 'json' } },
        username: 'alice',
      },
      'sign-in',
    );
    loggers.close();
    const text = readFileSync(join(dir, 'engine.log'), 'utf8');
    for (const secret of ['hunter2-top', 'rt-secret-1', 'secret-2', 'cipher-secret-3', 'jwt-secret-4', 'secret-5']) {
      expect(text).not.toContain(secret);
    }
    const record = JSON.parse(text);
    expect(record.password).toBe('[redacted]');
    expect(record.username).toBe('alice');
    expect(record.req.headers.accept).toBe('json');
  });

  it('gives each subsystem its own logs/<name>.log', () => {
    const dir = tempDir();
    const loggers = createLoggers({ dir, level: 'info', clock: createManualClock('2026-11-26T00:00:00Z') });
    loggers.serviceLog('scheduler').info({ jobs: 3 }, 'tick');
    loggers.serviceLog('scheduler').warn('lease lost');
    loggers.close();
    expect(lines(join(dir, 'scheduler.log')).map((l) => JSON.parse(l).msg)).toEqual(['tick', 'lease lost']);
    expect(readFileSync(join(dir, 'error.log'), 'utf8')).toContain('lease lost');
    expect(() => loggers.serviceLog('../escape')).toThrow();
  });
});

describe('engine logs', () => {
  it('creates engine.log, error.log and api.log under Services/api-backend/logs and adds one api.log line per request', async () => {
    const t = await startTestEngine({ dialect: 'pglite' });
    try {
      const dir = join(t.home, 'Services', 'api-backend', 'logs');
      for (const f of ['engine.log', 'error.log', 'api.log']) expect(existsSync(join(dir, f)), f).toBe(true);
      const before = lines(join(dir, 'api.log')).length;
      const res = await t.engine.app!.inject({ method: 'GET', url: '/health?probe=1', headers: { 'x-request-id': 'api-log-test-1' } });
      const after = lines(join(dir, 'api.log'));
      expect(after).toHaveLength(before + 1);
      const entry = JSON.parse(after.at(-1)!);
      expect(entry).toMatchObject({ request_id: 'api-log-test-1', method: 'GET', route: '/health', status: 200, bytes: res.body.length });
      expect(typeof entry.duration_ms).toBe('number');
      expect(Date.parse(entry.time)).not.toBeNaN();
      // Only the directories this role uses exist.
      expect(readdirSync(join(t.home, 'Services')).sort()).toEqual(['api-backend', 'postgres-db']);
    } finally {
      await t.close();
    }
  });
});
