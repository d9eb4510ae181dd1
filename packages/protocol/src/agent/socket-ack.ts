// Socket.IO ack shapes shared by every agent event except `quick_job_run` (agent-protocol §0, §5.3):
// `{ok:true, …}` or `{ok:false, error:{code, message}}`.

import { z } from 'zod';

export const SocketAckErrorSchema = z.object({
  ok: z.literal(false),
  /** retry_after_ms comes with `server_busy`: the agent retries after it, as for a refused upgrade (§5.2). */
  error: z.object({ code: z.string().min(1), message: z.string(), retry_after_ms: z.number().int().nonnegative().optional() }),
});
export type SocketAckError = z.infer<typeof SocketAckErrorSchema>;

/** `connect_error` data on the `/agent` namespace (§5.1): `message` is the code as well. */
export const AgentConnectErrorDataSchema = z.object({
  code: z.string().min(1),
  retry_after_ms: z.number().int().nonnegative().optional(),
});
export type AgentConnectErrorData = z.infer<typeof AgentConnectErrorDataSchema>;

/** `engine_shutdown` (E→A, no ack, §5.1). */
export const EngineShutdownSchema = z.object({
  reason: z.enum(['restart', 'shutdown', 'drain']),
  reconnect_window_ms: z.number().int().nonnegative(),
});
export type EngineShutdown = z.infer<typeof EngineShutdownSchema>;

/** `agent_config_changed` (E→A, no ack, §4.5). */
export const AgentConfigChangedSchema = z.object({ revision: z.string().min(1) });
export type AgentConfigChanged = z.infer<typeof AgentConfigChangedSchema>;

/** Disconnect reasons the engine sends before closing an agent socket (§5.1, as `engine_disconnect {reason}`). */
export const AgentDisconnectReasonSchema = z.enum(['register_timeout', 'superseded', 'reauth_required', 'slow_consumer']);
export type AgentDisconnectReason = z.infer<typeof AgentDisconnectReasonSchema>;
