// S28: for every mutating operator route whose permission is not `self`, a viewer gets 403; an
// operator gets 403 where the permission is admin-only. Walks the live route table, so new routes
// are covered without editing this test.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAdminOnly, type OperatorPermission } from '../domains/auth/permissions';
import { startTestEngine, type TestEngine } from '../../test/engine-harness';
import { setUpEngine, signInAs } from '../../test/factories';
import type { OperatorClient } from '../../test/operator-client';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

describe('authorization by role (S28)', () => {
  let t: TestEngine;
  let viewer: OperatorClient;
  let operator: OperatorClient;
  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite' });
    await setUpEngine(t);
    viewer = (await signInAs(t, { role: 'viewer' })).client;
    operator = (await signInAs(t, { role: 'operator' })).client;
  });
  afterAll(() => t.close());

  const mutating = () =>
    t.engine.routes().filter((r) => (r.auth === 'operator' || r.auth === 'operator-admin') && MUTATING.has(r.method) && r.permission !== 'self');

  it('finds mutating routes to check', () => {
    expect(mutating().length).toBeGreaterThan(10);
  });

  it('answers a viewer 403 forbidden on every mutating route', async () => {
    for (const route of mutating()) {
      const url = route.url.replace(/:[a-z_]+/g, '1');
      const res = await viewer.request(route.method as 'POST', url, { body: {} });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
      expect(res.json().error.code, `${route.method} ${route.url}`).toBe('forbidden');
    }
  });

  it('answers an operator 403 on every route whose permission is admin-only', async () => {
    for (const route of mutating().filter((r) => isAdminOnly(r.permission as OperatorPermission))) {
      const url = route.url.replace(/:[a-z_]+/g, '1');
      const res = await operator.request(route.method as 'POST', url, { body: {} });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
    }
  });
});
