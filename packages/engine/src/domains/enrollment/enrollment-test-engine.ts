// Shared setup of the enrolment and approval tests: a real engine on a manual clock with a known
// public URL (so DPoP `htu` is predictable), a signed-in admin, sites, and test agents.

import { createManualClock } from '../../clock';
import type { TestDialect } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { randomIp, setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';
import type { OperatorClient } from '../../../test/operator-client';
import { createTestAgent, injectTransport, type TestAgent } from '../../../test/enrolling-test-agent';
import type { DeviceEventMap } from '../devices/device-events';

export const PUBLIC_URL = 'https://engine.test';

export interface EnrollmentTestEngine {
  readonly t: TestEngine;
  readonly admin: SignedInAdmin;
  /** A signed-in admin whose session is fresh on the manual clock (tests jump hours ahead). */
  asAdmin(): Promise<{ client: OperatorClient; username: string }>;
  readonly clock: ReturnType<typeof createManualClock>;
  /** Every `approvals_changed` pending_count emitted so far. */
  readonly queueEvents: number[];
  readonly deviceEvents: Array<DeviceEventMap['device_changed'][0]>;
  createSite(name: string): Promise<{ id: number; code: string }>;
  /** A new agent (fresh key) enrolling with `code` from `ip` (a random one by default). */
  agent(code: string, options?: { hostname?: string; ip?: string; keys?: TestAgent['keys'] }): TestAgent;
  close(): Promise<void>;
}

export async function startEnrollmentEngine(dialect: TestDialect): Promise<EnrollmentTestEngine> {
  const clock = createManualClock('2026-11-26T06:00:00Z');
  const t = await startTestEngine({ dialect, clock, env: { BOREALIS_PUBLIC_URL: PUBLIC_URL } });
  const admin = await setUpEngine(t);
  let fresh: { client: OperatorClient; username: string; at: number } = { client: admin.client, username: admin.username, at: clock.now().getTime() };
  const asAdmin = async () => {
    if (clock.now().getTime() - fresh.at > 5 * 60_000) {
      const signed = await signInAs(t, { role: 'admin' });
      fresh = { ...signed, at: clock.now().getTime() };
    }
    return fresh;
  };
  const queueEvents: number[] = [];
  const deviceEvents: Array<DeviceEventMap['device_changed'][0]> = [];
  const events = t.engine.ctx.security!.deviceEvents;
  events.on('approvals_changed', (e) => queueEvents.push(e.pending_count));
  events.on('device_changed', (e) => deviceEvents.push(e));
  return {
    t,
    admin,
    clock,
    queueEvents,
    deviceEvents,
    asAdmin,
    async createSite(name) {
      const res = await (await asAdmin()).client.post('/api/sites', { name });
      if (res.statusCode !== 201) throw new Error(`site: ${res.body}`);
      const site = res.json() as { id: number; enrollment_code: string };
      return { id: site.id, code: site.enrollment_code };
    },
    agent(code, options = {}) {
      return createTestAgent({ origin: PUBLIC_URL, transport: injectTransport(t.engine.app!, options.ip ?? randomIp()), code, clock, hostname: options.hostname, keys: options.keys });
    },
    close: () => t.close(),
  };
}
