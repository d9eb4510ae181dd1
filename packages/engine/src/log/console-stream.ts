// Human-readable console output for `borealis start`: pino's JSON lines turned into
// "HH:MM:SS LEVEL message key=value" so an operator can read the terminal.

import type { LogFileStream } from './daily-file-stream';

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'svc']);

export function createConsoleStream(out: NodeJS.WritableStream = process.stdout): LogFileStream {
  return {
    write(chunk) {
      for (const line of chunk.split('\n')) {
        if (line) out.write(`${formatLine(line)}\n`);
      }
    },
    close() {},
  };
}

export function formatLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof record.time === 'string' ? record.time.slice(11, 19) : '';
  const level = LEVEL_NAMES[Number(record.level)] ?? String(record.level);
  const svc = typeof record.svc === 'string' ? `[${record.svc}] ` : '';
  const extras = Object.entries(record)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${level.padEnd(5)} ${svc}${String(record.msg ?? '')}${extras ? ` ${extras}` : ''}`;
}
