// @borealis/agent: the Linux agent (paths, agent.json, identity, transport, enrolment, tokens, socket,
// heartbeat, inventory, daemon, CLI).

export { resolveAgentPaths, AgentPathsError, ROOT_ENV_VARIABLE, type AgentPaths } from './paths/agent-paths';
export { AgentFileSchema, AGENT_FILE_SCHEMA_VERSION, TRUST_MODES, type AgentFile, type AgentIdentity, type AgentTrust } from './config/agent-file-schema';
export { AgentConfigError, loadAgentFile, readAgentFile, validateAgentFile, type ConfigProblem } from './config/load-agent-file';
export { checkServerUrl } from './config/server-url';
export { DEFAULT_RUNTIME_SETTINGS, RuntimeSettingsSchema, type RuntimeSettings } from './config/runtime-settings';
export { normalizeEnrollmentCode } from './enrol/enrollment-code';
export { generateIdentity, deviceKeyFromIdentity, sslKeyFingerprint, publicJwk, jwkThumbprint, type DeviceKey } from './identity/device-key';
export { ensureIdentity } from './identity/ensure-identity';
export { createAgentStore, type AgentStore } from './state/agent-store';
export { writeFileAtomic } from './state/atomic-write';
export { runCli } from './cli/run-cli';
export { AGENT_VERSION } from './version';
export { createAgentHttp, type AgentHttp, type AgentRequest, type AgentResponse } from './transport/agent-http';
export { AgentApiError } from './transport/agent-error';
export { tlsTrustOptions } from './transport/tls-trust';
export { createAgentClock, type AgentClock } from './runtime/clock-offset';
export { systemRuntime, type AgentRuntime } from './runtime/runtime';
export { createDeviceSession, type DeviceSession } from './auth/device-session';
export { LifecycleError } from './auth/lifecycle-error';
export { chooseRefreshAt, isRefreshDue } from './auth/token-timing';
export { runEnrolment, type EnrolOutcome } from './enrol/enrolment';
export { nextEnrolStep, type EnrolState, type EnrolEvent } from './enrol/enrol-machine';
export { createReconnectPolicy, lostDelay, type ReconnectPolicy, type ReconnectReason } from './socket/reconnect-policy';
export { createAgentSocket, type AgentSocket } from './socket/agent-socket';
export { createHeartbeatLoop, nextBeatDelay } from './heartbeat/heartbeat-loop';
export { collectSection, INVENTORY_SECTIONS, type CollectedSection } from './inventory/collect-sections';
export { normaliseSection, sectionHash } from './inventory/normalise';
export { createInventorySync, type InventorySync } from './inventory/inventory-sync';
export { runAgentDaemon } from './daemon/agent-daemon';
