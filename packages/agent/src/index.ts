// @borealis/agent: the Linux agent's building blocks (paths, agent.json, identity, CLI).

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
