// The daemon's log: one JSON line per event on stderr (journald collects it under systemd).
// Field names that look like secrets are never logged; callers pass codes, not tokens.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface AgentLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** The engine's `log_level` (§4.5) takes effect at once. */
  setLevel(level: LogLevel): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET = /token|secret|password|key|code|authorization|dpop/i;

export function createAgentLog(write: (line: string) => void, initial: LogLevel = 'info'): AgentLog {
  let level = initial;
  const emit = (at: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[at] < ORDER[level]) return;
    const safe = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, SECRET.test(k) && k !== 'code' ? '[redacted]' : v]));
    write(`${JSON.stringify({ time: new Date().toISOString(), level: at, msg: message, ...safe })}\n`);
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    setLevel(next) {
      level = next;
    },
  };
}

export const silentLog: AgentLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {} };
