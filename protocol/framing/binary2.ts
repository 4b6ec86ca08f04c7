import { checkReadable, checkWritable, type LengthHeader } from './length-header.js';

/** Two bytes, unsigned big-endian: 00 7B is 123. */
export const binary2: LengthHeader = {
  name: 'binary2',
  size: 2,
  max: 0xffff,
  read(buf, off) {
    checkReadable(this, buf, off);
    return buf.readUInt16BE(off);
  },
  write(len, buf, off) {
    checkWritable(this, len, buf, off);
    buf.writeUInt16BE(len, off);
  },
};
