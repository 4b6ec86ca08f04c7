import { ProtocolError } from '../errors.js';
import { checkReadable, checkWritable, type LengthHeader } from './length-header.js';

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Four ASCII decimal digits: "0123" (30 31 32 33) is 123. */
export const ascii4: LengthHeader = {
  name: 'ascii4',
  size: 4,
  max: 9999,
  read(buf, off) {
    checkReadable(this, buf, off);
    let len = 0;
    for (let i = 0; i < 4; i++) {
      const byte = buf[off + i];
      if (byte < DIGIT_0 || byte > DIGIT_9) {
        throw new ProtocolError('FRAME_BAD_LENGTH', 'an ascii4 length header holds a byte that is not an ASCII digit', {
          offset: off + i,
        });
      }
      len = len * 10 + (byte - DIGIT_0);
    }
    return len;
  },
  write(len, buf, off) {
    checkWritable(this, len, buf, off);
    buf.write(String(len).padStart(4, '0'), off, 4, 'latin1');
  },
};
