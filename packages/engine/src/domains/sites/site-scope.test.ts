// The site-scope helper of src/db/site-scope.ts (security.md §7.1): effective roles, permission
// lists, and 404-before-403.

import { describe, expect, it } from 'vitest';
import { requireSitePermission, siteScopeOf } from '../../db/site-scope';

describe('site scope', () => {
  it('gives an admin every site and the objects of no site', () => {
    const scope = siteScopeOf('admin', []);
    expect(scope.siteIds).toBeNull();
    expect(scope.roleOn(42)).toBe('admin');
    expect(scope.roleOn(null)).toBe('admin');
    expect(scope.siteIdsWith('credential_manage')).toBeNull();
  });

  it('narrows a non-admin to the lower of users.role and the assignment role', () => {
    const scope = siteScopeOf('operator', [
      { site_id: 3, role: 'viewer' },
      { site_id: 1, role: null },
      { site_id: 2, role: 'operator' },
    ]);
    expect(scope.siteIds).toEqual([1, 2, 3]);
    expect([scope.roleOn(1), scope.roleOn(2), scope.roleOn(3), scope.roleOn(4), scope.roleOn(null)]).toEqual(['operator', 'operator', 'viewer', null, null]);
    expect(scope.siteIdsWith('read')).toEqual([1, 2, 3]);
    expect(scope.siteIdsWith('credential_use')).toEqual([1, 2]);
    expect(scope.siteIdsWith('site_manage')).toEqual([]);
    expect(siteScopeOf('viewer', [{ site_id: 1, role: 'operator' }]).roleOn(1)).toBe('viewer');
  });

  it('answers 404 out of scope and 403 in scope without the permission', () => {
    const scope = siteScopeOf('operator', [{ site_id: 1, role: 'viewer' }, { site_id: 2, role: null }]);
    expect(() => requireSitePermission(scope, 9, 'read')).toThrow(expect.objectContaining({ status: 404, code: 'not_found' }));
    expect(() => requireSitePermission(scope, null, 'read')).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => requireSitePermission(scope, 1, 'credential_use')).toThrow(expect.objectContaining({ status: 403, code: 'forbidden' }));
    expect(requireSitePermission(scope, 2, 'credential_use')).toBe('operator');
  });
});
