// Public API of the agent protocol's shared device-trust primitives (agent-protocol §0, §2, §3),
// imported as '@borealis/protocol/agent' (node:crypto, so kept out of the browser bundle).

export * from './agent-auth-constants';
export * from './agent-identity';
export * from './auth-result';
export * from './base64';
export * from './canonical-json';
export * from './signature-labels';
export * from './device-key';
export * from './key-fingerprint';
export * from './ed25519-jwk';
export * from './compact-jws';
export * from './access-token';
export * from './device-binding';
export * from './dpop-htu';
export * from './dpop-proof';
export * from './dpop-validation';
export * from './enrollment-proof';
export * from './enrollment-schemas';
export * from './inventory-schemas';
export * from './heartbeat-schemas';
export * from './socket-schemas';
export * from './socket-ack';
export * from './token-schemas';
export * from './config-schemas';
