// The ISO 8583 library: pure, no I/O, no runtime dependencies.
export { ErrorCodes, ProtocolError, isProtocolError, type ErrorCode, type ErrorContext } from './errors.js';
export type * from './spec/types.js';
export { MessageCodec, codecFor, unpackField, type IsoMessage, type MessageInput, type DecodeOptions, type EncodeOptions } from './message.js';
export type { Primitive } from './encoding/body.js';
export type { SubfieldMap, SubfieldValue } from './field/composite.js';
export { getPath, setPath } from './path.js';
export { messageToJson, primitiveToJson, subfieldsToJson, type MessageJson } from './json.js';
export { dumpMessage, maskValue, type DumpOptions } from './dump.js';
export { maskPan, maskTrack } from './mask.js';
export { toHex, parseHex } from './encoding/hex.js';
export * from './spec/index.js';
export * from './emv/index.js';
export * from './framing/index.js';
export * from './mac/index.js';
