// Public API of the fleet simulator (agent-protocol §11), used by the CLI, the benchmarks and the smoke test.

export * from './fleet';
export * from './virtual-agent';
export * from './reconnect-policy';
export * from './inventory-hash';
export * from './synthetic-host';
export * from './quick-jobs';
export * from './stats';
export * from './http-transport';
