// How a simulated terminal reaches a gateway: frames over TCP or TLS, with hooks for tests and fault switches.
export { TransportErrors, TransportError, isTransportError, type TransportErrorCode } from './errors.js';
export { parseTarget, formatTarget, TargetSchemes, type Target, type TargetScheme } from './target.js';
export { withHooks, type Transport, type TransportHooks, type HookResult } from './transport.js';
export {
  TerminalHeaders,
  linkDefaults,
  parseNii,
  resolveLinkOptions,
  type LinkOptions,
  type LinkOptionsInput,
  type TerminalHeader,
} from './link-options.js';
export { StreamTransport, openTransport, type TlsOptions } from './stream.js';
