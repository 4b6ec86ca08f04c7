/**
 * Stable codes for everything a host link refuses or loses. `sent` on the error says whether the acquirer may have
 * seen the request: when it is false nothing left the gateway, when it is true the outcome is unknown.
 */
export const LinkErrorCodes = {
  NOT_CONNECTED: 'the link is not up (or is stopping): nothing was sent',
  TIMEOUT: 'the request was sent and no reply came by its deadline: outcome unknown',
  DISCONNECTED: 'the request was sent, then the connection closed before a reply: outcome unknown',
  DUPLICATE_KEY: 'a request with the same MTI class, STAN and RRN is already pending: nothing was sent',
  OVERLOADED: 'maxPending requests are already in flight: nothing was sent',
  INVALID_REQUEST: 'the request has no usable STAN (field 11) or does not encode with the link spec: nothing was sent',
  REJECTED: 'the acquirer answered a network management message (echo, sign-on) with a code other than 00',
} as const;

export type LinkErrorCode = keyof typeof LinkErrorCodes;

export interface LinkErrorContext {
  /** Matching key of the request ("02|000123|412345678901"): MTI class, STAN, RRN; never card data. */
  key?: string;
  mti?: string;
  /** Field 39 of the reply, for REJECTED. */
  responseCode?: string;
  cause?: unknown;
}

export class LinkError extends Error {
  readonly code: LinkErrorCode;
  /** True when the request was written to the connection, so the acquirer may have acted on it. */
  readonly sent: boolean;
  readonly key: string | undefined;
  readonly mti: string | undefined;
  readonly responseCode: string | undefined;

  constructor(code: LinkErrorCode, sent: boolean, detail: string, ctx: LinkErrorContext = {}) {
    super(detail, ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.name = 'LinkError';
    this.code = code;
    this.sent = sent;
    this.key = ctx.key;
    this.mti = ctx.mti;
    this.responseCode = ctx.responseCode;
  }

  toJSON(): { code: LinkErrorCode; sent: boolean; key?: string; mti?: string; responseCode?: string; message: string } {
    return { code: this.code, sent: this.sent, key: this.key, mti: this.mti, responseCode: this.responseCode, message: this.message };
  }
}

export function isLinkError(e: unknown): e is LinkError {
  return e instanceof LinkError;
}
