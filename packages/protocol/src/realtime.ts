// Socket.IO namespaces shared by engine, agent, WebUI and simulator (agent-protocol.md §5, api.md),
// and the payloads of the browser events.

import { z } from 'zod';

export const AGENT_NAMESPACE = '/agent';
export const OPERATOR_NAMESPACE = '/operator';
export const SOCKET_IO_PATH = '/socket.io';

// Server→browser event payloads of the /operator namespace (api.md "Browser realtime").

/** One presence change; the engine batches them, so the event carries one of these or an array. */
export const AgentStatusChangeSchema = z.object({
  guid: z.string(),
  hostname: z.string(),
  site_id: z.number().int().nullable(),
  status: z.enum(['online', 'offline']),
  changed_at: z.string(),
});
export type AgentStatusChange = z.infer<typeof AgentStatusChangeSchema>;
export const AgentStatusChangedSchema = z.union([AgentStatusChangeSchema, z.array(AgentStatusChangeSchema)]);

/** Inventory sections of a device were replaced (to room `device:<guid>`). */
export const DeviceInventoryChangedSchema = z.object({ guid: z.string(), sections: z.array(z.string()) });
export type DeviceInventoryChanged = z.infer<typeof DeviceInventoryChangedSchema>;
