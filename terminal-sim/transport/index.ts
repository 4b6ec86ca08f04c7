// How a simulated terminal reaches a gateway: frames over TCP, TLS or a serial port, with hooks for tests and fault switches.
export { TransportErrors, TransportError, isTransportError, type TransportErrorCode } from './errors.js';
export {
  parseTarget,
  formatTarget,
  TargetSchemes,
  isSerialTarget,
  parseSerialTarget,
  formatSerialTarget,
  serialDefaults,
  SerialFramings,
  SerialParities,
  type Target,
  type TargetScheme,
  type SerialTarget,
  type SerialFraming,
  type SerialParity,
} from './target.js';
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
export { SerialTransport, type SerialFaultLog } from './serial.js';
export {
  SerialFaults,
  SerialFaultNames,
  hasSerialFaults,
  isSerialFaultFlag,
  parseSerialFaultFlags,
  type SerialFaultName,
  type SerialFaultSet,
} from './serial-faults.js';
