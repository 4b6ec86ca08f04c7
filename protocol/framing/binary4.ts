import { checkReadable, checkWritable, type LengthHeader } from './length-header.js';

/** Four bytes, unsigned big-endian: 00 00 00 7B is 123. */
export const binary4: LengthHeader = {
  name: 'binary4',
  size: 4,
  max: 0xffffffff,
  read(buf, off) {
    checkReadable(this, buf, off);
    return buf.readUInt32BE(off);
  },
  write(len, buf, off) {
    checkWritable(this, len, buf, off);
    buf.writeUInt32BE(len, off);
  },
};
