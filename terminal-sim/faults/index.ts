// Faults a tester switches on, per terminal or per transaction: on the wire, on the clock, in the device's behaviour.
export {
  DEFAULT_UNKNOWN_TERMINAL,
  FaultError,
  FaultNames,
  Faults,
  describeFaults,
  hasWireFaults,
  parseFaultFlags,
  parseFaults,
  type FaultName,
  type FaultSet,
} from './catalogue.js';
export { formatDuration, parseDuration } from './duration.js';
export { FaultyTransport, type AppliedFault, type RawTransport, type RequestMatcher } from './transport.js';
export { ActionRequests, Actions, SkewClock, withFaults, type Action, type FaultRig } from './switch.js';
export { openRiggedTerminal, type RiggedTerminalOptions } from './rig.js';
