import { ProtocolError } from '../errors.js';
import { checkReadable, checkWritable, type LengthHeader } from './length-header.js';

/** Two bytes of packed BCD, four decimal digits: 01 23 is 123. */
export const bcd2: LengthHeader = {
  name: 'bcd2',
  size: 2,
  max: 9999,
  read(buf, off) {
    checkReadable(this, buf, off);
    let len = 0;
    for (let i = 0; i < 2; i++) {
      const byte = buf[off + i];
      const hi = byte >> 4;
      const lo = byte & 0x0f;
      if (hi > 9 || lo > 9) {
        throw new ProtocolError('FRAME_BAD_LENGTH', 'a bcd2 length header holds a nibble that is not a decimal digit', {
          offset: off + i,
        });
      }
      len = len * 100 + hi * 10 + lo;
    }
    return len;
  },
  write(len, buf, off) {
    checkWritable(this, len, buf, off);
    const hi = Math.floor(len / 100);
    const lo = len % 100;
    buf[off] = (Math.floor(hi / 10) << 4) | hi % 10;
    buf[off + 1] = (Math.floor(lo / 10) << 4) | lo % 10;
  },
};
