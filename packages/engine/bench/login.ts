// Sign-in cost (security.md §4.2): p50/p99 of a password sign-in at the production argon2 cost,
// and the largest event-loop delay while 50 sign-ins run at once (hashing must stay off the loop).

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { rmSync } from 'node:fs';
import { DEFAULT_ARGON2_PARAMS } from '../src/domains/auth/factors/password-hasher';
import { makeHome, startTestEngine } from '../test/engine-harness';
import { setUpEngine, signInAs, TEST_PASSWORD } from '../test/factories';
import { operatorClient } from '../test/operator-client';
import type { Figure, ScenarioContext } from './run';

const SEQUENTIAL = 40;
const CONCURRENT = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function loginScenario(ctx: ScenarioContext): Promise<Figure[]> {
  const home = makeHome();
  const t = await startTestEngine({ dialect: ctx.database, home, argon2: DEFAULT_ARGON2_PARAMS, env: { BOREALIS_LOG_LEVEL: 'warn', ...(process.env.BOREALIS_AUTH_HASH_CONCURRENCY ? { BOREALIS_AUTH_HASH_CONCURRENCY: process.env.BOREALIS_AUTH_HASH_CONCURRENCY } : {}) } });
  try {
    await setUpEngine(t);
    // MFA-exempt users: one request is one complete password sign-in.
    const users = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => signInAs(t, { role: 'viewer', username: `bench-${i}` })));
    const app = t.engine.app!;
    const signIn = async (username: string, ip: string) => {
      const started = performance.now();
      const res = await operatorClient(app, { ip }).post('/api/auth/login', { username, password: TEST_PASSWORD });
      if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
      return performance.now() - started;
    };

    const sequential: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i += 1) sequential.push(await signIn(users[i % users.length]!.username, `10.9.${i}.1`));
    sequential.sort((a, b) => a - b);

    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const burstStart = performance.now();
    const burst = await Promise.all(users.map((u, i) => signIn(u.username, `10.8.${i}.1`)));
    const burstMs = performance.now() - burstStart;
    loop.disable();
    burst.sort((a, b) => a - b);

    const round = (n: number) => Math.round(n * 10) / 10;
    return [
      { name: 'login_p50', value: round(percentile(sequential, 50)), unit: 'ms' },
      { name: 'login_p99', value: round(percentile(sequential, 99)), unit: 'ms' },
      { name: 'burst50_p99', value: round(percentile(burst, 99)), unit: 'ms' },
      { name: 'burst50_total', value: round(burstMs), unit: 'ms' },
      { name: 'event_loop_max_delay', value: round(loop.max / 1e6), unit: 'ms' },
    ];
  } finally {
    await t.close();
    rmSync(home, { recursive: true, force: true });
  }
}
