export type { LengthHeader } from './length-header.js';
export { binary2 } from './binary2.js';
export { bcd2 } from './bcd2.js';
export { ascii4 } from './ascii4.js';
export { binary4 } from './binary4.js';
export { LengthHeaders, resolveHeader, type LengthHeaderKind, type LengthHeaderOption } from './headers.js';
export { TPDU_ID, TPDU_SIZE, parseTpdu, replyTpdu, tpdu, writeTpdu, type Tpdu } from './tpdu.js';
export { FrameDecoder, type Frame, type FrameDecoderOptions } from './decoder.js';
export { encodeFrame, FrameEncoder, type EncodeFrameOptions } from './encoder.js';
export {
  FrameDecoderStream,
  FrameEncoderStream,
  type FrameEncoderStreamOptions,
  type FrameInput,
} from './streams.js';
export * from './serial/index.js';
