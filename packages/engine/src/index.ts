// @borealis/engine: the engine's public entry point (factory, configuration, version).

export { createEngine, type Engine, type CreateEngineOptions } from './engine';
export { loadConfig, ConfigError, type EngineConfig } from './config';
export { ENGINE_VERSION } from './version';
