export { SerialControl, SERIAL_FRAME_OVERHEAD, SERIAL_MAX_MESSAGE } from './control.js';
export {
  LrcCoverages,
  SERIAL_FRAME_DEFAULTS,
  type LrcCoverage,
  type ResolvedSerialFrameOptions,
  type SerialFrameOptions,
} from './options.js';
export { lrc } from './lrc.js';
export { encodeSerialFrame, SerialFrameEncoder } from './encoder.js';
export { CorruptReasons, SerialFrameDecoder, type CorruptReason, type SerialFrameEvent } from './decoder.js';
export { SERIAL_LINK_DEFAULTS, type ResolvedSerialLinkOptions, type SerialLinkOptions } from './link-options.js';
export { LinkFailReasons, SerialLink, type LinkAction, type LinkFailReason, type SerialLinkStats } from './link.js';
