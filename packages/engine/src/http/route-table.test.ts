// The route-table walk of security.md §7.3 (S27): every route the engine serves is listed in
// routes.tsv with the same auth class, declares a permission, and operator-admin routes carry an
// admin-only permission. The M1 routes of the operator-trust groups are all implemented.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAdminOnly, OPERATOR_PERMISSIONS, type OperatorPermission } from '../domains/auth/permissions';
import { startTestEngine, type TestEngine } from '../../test/engine-harness';

const VENDORED = fileURLToPath(new URL('../../spec/routes.tsv', import.meta.url));
// The design repository sits beside this one; when it is there, the vendored copy must match it.
const UPSTREAM = fileURLToPath(new URL('../../../../../shared/spec/routes.tsv', import.meta.url));

interface SpecRoute {
  method: string;
  path: string;
  auth: string;
  group: string;
  tier: string;
}

function specRoutes(): SpecRoute[] {
  return readFileSync(VENDORED, 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const [method, path, auth, group, tier] = line.split('\t');
      return { method: method!, path: path!, auth: auth!, group: group!, tier: tier! };
    });
}

const TRUST_GROUPS = new Set(['bootstrap', 'aegis', 'auth', 'users', 'sites', 'credentials', 'audit']);

describe('route table (S27)', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite' });
  });
  afterAll(() => t.close());

  const served = () =>
    t.engine
      .routes()
      .filter((r) => r.method !== 'HEAD' && !r.hidden && r.group !== 'webui')
      .filter((r) => !r.url.startsWith('/api/docs/') && r.url !== '/api/docs');

  it('keeps the vendored routes.tsv identical to the specification', () => {
    if (!existsSync(UPSTREAM)) return;
    expect(readFileSync(VENDORED, 'utf8')).toBe(readFileSync(UPSTREAM, 'utf8'));
  });

  it('serves only routes that routes.tsv lists, each with its auth class', () => {
    const spec = new Map(specRoutes().map((r) => [`${r.method} ${r.path}`, r]));
    for (const route of served()) {
      const entry = spec.get(`${route.method} ${route.url}`);
      expect(entry, `${route.method} ${route.url} is not in routes.tsv`).toBeDefined();
      expect(route.auth, `${route.method} ${route.url}`).toBe(entry!.auth);
    }
  });

  it('declares a permission on every route, admin-only on operator-admin routes', () => {
    for (const route of t.engine.routes()) {
      expect(route.permission, `${route.method} ${route.url}`).toBeDefined();
      if (route.auth === 'operator-admin') {
        expect(OPERATOR_PERMISSIONS as readonly string[], `${route.method} ${route.url}`).toContain(route.permission);
        expect(isAdminOnly(route.permission as OperatorPermission), `${route.method} ${route.url} is operator-admin`).toBe(true);
      }
      if (route.auth === 'none') expect(route.permission).toBe('public');
    }
  });

  it('implements every M1 route of the operator-trust groups', () => {
    const registered = new Set(t.engine.routes().map((r) => `${r.method} ${r.url}`));
    const missing = specRoutes()
      .filter((r) => r.tier === 'M1' && TRUST_GROUPS.has(r.group))
      .filter((r) => !registered.has(`${r.method} ${r.path}`))
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });
});
