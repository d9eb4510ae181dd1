// Resolves a route's device reference (a GUID or the display name) within the caller's site scope;
// a device they cannot see does not exist for them (404, security.md §7.1).

import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { loadSiteScope, type ScopeUser, type SiteScope } from '../../db/site-scope';
import { NotFoundError } from '../../errors';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ScopedDevice {
  readonly scope: SiteScope;
  readonly device: { readonly guid: string; readonly display_name: string; readonly site_id: number | null };
}

export async function findScopedDevice(db: Kysely<Database>, user: ScopeUser, reference: string): Promise<ScopedDevice> {
  const scope = await loadSiteScope(db, user);
  const query = db.selectFrom('devices').select(['guid', 'display_name', 'site_id']);
  const device = GUID.test(reference)
    ? await query.where('guid', '=', reference.toLowerCase()).executeTakeFirst()
    : await query.where((eb) => eb(eb.fn('lower', ['display_name']), '=', reference.toLowerCase())).executeTakeFirst();
  if (!device || scope.roleOn(device.site_id) === null) throw new NotFoundError('No such device');
  return { scope, device };
}
