// The gateway's configuration: JSON file -> CLI overrides -> schema (defaults) -> cross-checks -> frozen GatewayConfig.
export type * from './types.js';
export { loadConfig } from './load.js';
export { parseConfig } from './parse.js';
export { configSchema, DEFAULT_LISTENER, DEADLINE_LIMIT_MS, TIMER_MAX_MS } from './schema.js';
export { ConfigError, ConfigErrorCodes, isConfigError, type ConfigErrorCode, type ConfigProblem } from './errors.js';
export {
  CONFIG_FLAGS,
  applyOverrides,
  configFlagsHelp,
  overridesFromFlags,
  type ConfigFlag,
  type ConfigOverrides,
} from './overrides.js';
export { parseJsonText } from './json.js';
