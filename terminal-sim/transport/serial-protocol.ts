// The protocol pieces the serial transport is built from, in one place.
import { SerialFrameEncoder, type SerialLink } from '../../protocol/index.js';
export { encodeFrame, FrameDecoder, ProtocolError, SerialLink, TPDU_SIZE, writeTpdu, type LinkAction, type SerialLinkStats } from '../../protocol/index.js';

/** The frame the link writes for `message`, with the link's own frame options. */
export function writeSerialFrameFor(message: Buffer, link: SerialLink): Buffer {
  const { lrcCovers, lrcSeed, maxFrameSize } = link.options;
  return new SerialFrameEncoder({ lrcCovers, lrcSeed, maxFrameSize }).encode(message);
}
