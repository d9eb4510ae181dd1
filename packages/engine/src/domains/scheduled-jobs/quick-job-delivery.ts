// deliver(executionIds) for scheduled runs through the quick-jobs dispatcher of this node: the
// executions are grouped by device and handed to its delivery loop (sign, emit, ack), which
// claims them Pending → dispatching by conditional update, so a repeat never re-sends.

import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { DeliverExecutions } from './scheduled-run';

export interface DeviceDelivery {
  deliver(deviceGuid: string, ids?: readonly string[]): Promise<void>;
}

export function deliverThroughQuickJobs(db: Kysely<Database>, delivery: () => DeviceDelivery | undefined): DeliverExecutions {
  return async (ids) => {
    const target = delivery();
    if (!target || ids.length === 0) return;
    const rows = await db.selectFrom('activity_history').select(['id', 'device_guid']).where('id', 'in', [...ids]).execute();
    const byDevice = new Map<string, string[]>();
    for (const r of rows) byDevice.set(r.device_guid, [...(byDevice.get(r.device_guid) ?? []), r.id]);
    await Promise.all([...byDevice].map(([guid, deviceIds]) => target.deliver(guid, deviceIds)));
  };
}
