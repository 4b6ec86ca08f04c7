import type { Body } from './body.js';

/** The bytes as they are. Decoded values are views of the input buffer, not copies. */
export const binary: Body = {
  binary: true,
  size: (units) => units,
  unitsIn: (bytes) => bytes,
  read: (buf, start, units) => buf.subarray(start, start + units),
  write(value, _units, buf, off) {
    (value as Buffer).copy(buf, off);
    return -1;
  },
};
