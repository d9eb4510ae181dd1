// Device events for browsers on /operator (api.md "Browser realtime"): operators join the site rooms
// of their scope at connect (admins an all-sites room); presence goes out as `agent_status_changed`
// at most once per 250 ms per socket, inventory to `device:<guid>` subscribers, approvals to all.

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import type { Database } from '../db/schema';
import { loadSiteScope } from '../db/site-scope';
import type { DeviceEventMap, DeviceEvents } from '../domains/devices/device-events';
import type { OperatorNamespace, OperatorSocketData } from './operator-namespace';

export const STATUS_BATCH_MS = 250;
export const ALL_SITES_ROOM = 'sites:all';

type StatusChange = DeviceEventMap['presence_changed'][0];

interface RelayData extends OperatorSocketData {
  /** Sites in scope; null for admins (every site and devices of no site). */
  siteIds?: readonly number[] | null;
}

export interface OperatorRelays {
  close(): void;
}

const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

export function installOperatorRelays(deps: {
  readonly operators: OperatorNamespace;
  readonly db: Kysely<Database>;
  readonly events: DeviceEvents;
  readonly log: Logger;
  readonly batchMs?: number;
}): OperatorRelays {
  const nsp = deps.operators.namespace;
  const batchMs = deps.batchMs ?? STATUS_BATCH_MS;
  const dataOf = (socket: Socket) => socket.data as RelayData;
  const sees = (socket: Socket, siteId: number | null) => {
    const scope = dataOf(socket).siteIds;
    return scope === null || (siteId !== null && scope !== undefined && scope.includes(siteId));
  };

  // Runs after the namespace's own authentication, which set socket.data.
  nsp.use((socket, next) => {
    void (async () => {
      const data = dataOf(socket);
      const user = await deps.db.selectFrom('users').select(['id', 'role']).where('id', '=', data.userId).executeTakeFirst();
      if (!user) return next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized' } }));
      const scope = await loadSiteScope(deps.db, { user_id: user.id, role: user.role });
      data.siteIds = scope.siteIds;
      await socket.join(scope.siteIds === null ? [ALL_SITES_ROOM] : scope.siteIds.map((id) => `site:${id}`));
      next();
    })().catch((err: unknown) => {
      deps.log.warn({ err }, 'joining operator scope rooms failed');
      next(Object.assign(new Error('unavailable'), { data: { code: 'unavailable' } }));
    });
  });

  deps.operators.addRoomKind('device:', async (socket, room) => {
    const guid = room.slice('device:'.length);
    if (!GUID.test(guid)) return false;
    const device = await deps.db.selectFrom('devices').select('site_id').where('guid', '=', guid.toLowerCase()).executeTakeFirst();
    return device !== undefined && sees(socket, device.site_id);
  });

  // Presence: the latest change per device, flushed to each socket as one message per batch.
  let pending = new Map<string, StatusChange>();
  let timer: NodeJS.Timeout | undefined;
  const flushStatus = () => {
    timer = undefined;
    const changes = [...pending.values()];
    pending = new Map();
    for (const socket of nsp.sockets.values()) {
      const visible = changes.filter((c) => sees(socket, c.site_id));
      if (visible.length) socket.emit('agent_status_changed', visible.length === 1 ? visible[0] : visible);
    }
  };
  const onPresence = (change: StatusChange) => {
    pending.set(change.guid, change);
    timer ??= setTimeout(flushStatus, batchMs);
  };
  const onInventory = ({ guid, sections }: DeviceEventMap['inventory_changed'][0]) => {
    nsp.to(`device:${guid}`).emit('device_inventory_changed', { guid, sections: [...sections] });
  };
  const onApprovals = ({ pending_count }: DeviceEventMap['approvals_changed'][0]) => {
    nsp.emit('approvals_changed', { pending_count });
  };
  deps.events.on('presence_changed', onPresence);
  deps.events.on('inventory_changed', onInventory);
  deps.events.on('approvals_changed', onApprovals);

  return {
    close() {
      if (timer) clearTimeout(timer);
      deps.events.off('presence_changed', onPresence);
      deps.events.off('inventory_changed', onInventory);
      deps.events.off('approvals_changed', onApprovals);
    },
  };
}
