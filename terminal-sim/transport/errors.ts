/** Stable codes of what can go wrong on the link; commands map them to exit codes, tests match on them. */
export const TransportErrors = {
  BAD_TARGET: 'the target is not a tcp://host:port, tls://host:port or serial:PATH[?options] URL',
  CONNECT_FAILED: 'the connection could not be opened (refused, unreachable, TLS handshake failed)',
  TIMEOUT: 'no frame arrived within the time allowed',
  CLOSED: 'the peer closed the connection, or it was closed locally',
  BAD_FRAME: 'the bytes received, or the message in a frame, cannot be read with the configured link profile',
  NOT_CONNECTED: 'a frame was sent or awaited on a transport that is not connected',
} as const;

export type TransportErrorCode = keyof typeof TransportErrors;

export class TransportError extends Error {
  readonly code: TransportErrorCode;
  /** True when the request may have reached the peer: its outcome is unknown, not known to be nothing. */
  readonly sent: boolean;

  constructor(code: TransportErrorCode, detail: string, opts: { sent?: boolean; cause?: unknown } = {}) {
    super(detail, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TransportError';
    this.code = code;
    this.sent = opts.sent ?? false;
  }
}

export function isTransportError(e: unknown, code?: TransportErrorCode): e is TransportError {
  return e instanceof TransportError && (code === undefined || e.code === code);
}
