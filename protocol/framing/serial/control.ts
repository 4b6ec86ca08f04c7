/** The control characters of the serial link (ASCII C0 codes). */
export const SerialControl = {
  /** Start of text: the first byte of every frame. */
  STX: 0x02,
  /** End of text: follows the message; the LRC byte follows it. */
  ETX: 0x03,
  /** Acknowledge: the receiver's answer to a frame that checked out. */
  ACK: 0x06,
  /** Negative acknowledge: the receiver's answer to a frame that did not; the sender retransmits. */
  NAK: 0x15,
} as const;

/** Bytes a frame adds around its message: STX, 2 length bytes, ETX, LRC. */
export const SERIAL_FRAME_OVERHEAD = 5;
/** Offset of the message in a frame: after STX and the 2-byte BCD length. */
export const SERIAL_MESSAGE_OFFSET = 3;
/** The 2-byte BCD length holds 4 digits. */
export const SERIAL_MAX_MESSAGE = 9999;
