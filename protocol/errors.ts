/**
 * One catalogue of every error the protocol library raises. Each code is stable: tools and tests match on the
 * code, never on the message text. The README documents every code (a test enforces it).
 */
export const ErrorCodes = {
  // decoding
  TRUNCATED: 'the input ends inside a field, a length prefix or a bitmap',
  LENGTH_EXCEEDS_MAX: 'a length prefix or value is longer than the field allows',
  BAD_LENGTH_PREFIX: 'a length prefix holds something other than a length',
  INVALID_CHARACTER: 'a value holds a character outside its field class',
  BAD_BITMAP: 'a bitmap is malformed or marks a field the spec does not define',
  BAD_MTI: 'the message type indicator is not four valid digits',
  TRAILING_BYTES: 'bytes are left over after the last field',
  // encoding
  FIELD_NOT_IN_SPEC: 'a value is given for a field the spec does not define',
  VALUE_TOO_LONG: 'a value is longer than the field allows',
  LENGTH_MISMATCH: 'a fixed-length value does not have the exact length',
  WRONG_TYPE: 'a value has the wrong JavaScript type for its field',
  SUBFIELD_MISSING: 'a positional subfield is missing before one that is given',
  // specs and paths
  SPEC_INVALID: 'a spec (built-in, JSON or jPOS XML) is malformed or uses an unsupported feature',
  PATH_INVALID: 'a field path does not name a field or subfield of the spec',
  BAD_INPUT: 'a line or argument given to the iso8583 CLI is not what the command expects',
  // EMV BER-TLV
  TLV_TRUNCATED: 'a BER-TLV tag, length or value runs past the end of its data',
  TLV_BAD_TAG: 'a BER-TLV tag is malformed',
  TLV_BAD_LENGTH: 'a BER-TLV length is malformed or too large',
  TLV_TOO_DEEP: 'BER-TLV templates nest deeper than the allowed depth',
  // framing
  FRAME_TOO_LARGE: 'a frame announces a length over the configured maximum',
  FRAME_BAD_LENGTH: 'a frame length header is not a valid length',
  BAD_TPDU: 'a TPDU header is missing or does not start with 0x60',
  // MAC
  MAC_BAD_KEY: 'a MAC key has the wrong length or format',
  MAC_MISMATCH: 'the MAC in the message does not match the computed MAC',
  MAC_FIELD_MISSING: 'the spec names a MAC field that the message does not carry',
  MAC_BAD_OPTION: 'a MAC option (padding method, MAC length) is unknown or out of range',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface ErrorContext {
  mti?: string;
  /** Field path: "4", "55.9F26", "127.25.12". */
  field?: string;
  /** Byte offset in the input where the problem starts. */
  offset?: number;
}

/**
 * The only error class the library throws for bad data or bad specs. The message never holds a field value, so
 * it is safe to log: card data stays out of errors.
 */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  readonly mti: string | undefined;
  readonly field: string | undefined;
  readonly offset: number | undefined;
  /** The detail without the location prefix, e.g. "expected 12 digits, got 7". */
  readonly detail: string;

  constructor(code: ErrorCode, detail: string, ctx: ErrorContext = {}) {
    super(formatMessage(detail, ctx));
    this.name = 'ProtocolError';
    this.code = code;
    this.mti = ctx.mti;
    this.field = ctx.field;
    this.offset = ctx.offset;
    this.detail = detail;
  }

  /**
   * A copy with location facts filled in by an outer layer (the message codec knows the MTI, a field its path). An
   * offset inside content that the wire writes with `scale` bytes per byte (hex) is scaled to wire bytes.
   */
  within(ctx: ErrorContext, scale = 1): ProtocolError {
    return new ProtocolError(this.code, this.detail, {
      mti: this.mti ?? ctx.mti,
      field: this.field === undefined ? ctx.field : ctx.field === undefined ? this.field : `${ctx.field}.${this.field}`,
      offset: this.offset === undefined ? ctx.offset : this.offset * scale + (ctx.offset ?? 0),
    });
  }

  toJSON(): { code: ErrorCode; mti?: string; field?: string; offset?: number; message: string } {
    return { code: this.code, mti: this.mti, field: this.field, offset: this.offset, message: this.message };
  }
}

function formatMessage(detail: string, ctx: ErrorContext): string {
  if (ctx.field === undefined && ctx.offset === undefined) return detail;
  let where = ctx.field === undefined ? 'message' : `field ${ctx.field}`;
  if (ctx.offset !== undefined) where += ` at offset ${ctx.offset}`;
  return `${where}: ${detail}`;
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
