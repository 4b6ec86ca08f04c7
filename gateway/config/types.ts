/** The gateway's configuration, as the JSON config file gives it (after validation and defaults). */

export interface ListenerConfig {
  name: string;
  host: string;
  port: number;
  /** Length header of each frame: 2-byte binary (terminal default) or 4 ASCII digits, 2-byte BCD, 4-byte binary. */
  header: 'binary2' | 'ascii4' | 'bcd2' | 'binary4';
  /** A 5-byte TPDU after the length header (0x60, destination NII, source NII; swapped on replies). */
  tpdu: boolean;
  /** The ISO 8583 spec of the terminal messages: a built-in name or a spec file. */
  spec: string;
  maxFrameSize: number;
  /** Close a connection that sends nothing for this long. */
  idleTimeoutMs: number;
  /** Close a connection whose frame stays incomplete this long (slowloris). */
  frameTimeoutMs: number;
  /** Requests of one connection being processed at once; more are answered 91 without being processed. */
  maxInFlight: number;
  maxConnections: number;
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
}

/** A terminal wired to a serial port: one port, one terminal session, the same flow as a TCP listener. */
export interface SerialPortConfig {
  /** Names the port in logs, metrics and /health, as a listener name does. */
  name: string;
  /** The device: /dev/ttyS0, /dev/ttyUSB0, /dev/ttyACM0, or better a stable /dev/serial/by-id/... or udev name. */
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits: 1 | 2;
  /** Hardware (RTS/CTS) flow control. */
  rtscts: boolean;
  /**
   * 'stx-etx': STX | BCD length | message | ETX | LRC frames with ACK/NAK and retransmission (`link`).
   * 'length': the TCP framing as is (`header`, then the TPDU and message), no link layer.
   */
  framing: 'stx-etx' | 'length';
  /** The ACK/NAK link layer of 'stx-etx' framing (hardware-notes.md section 6). */
  link: {
    ackTimeoutMs: number;
    interCharTimeoutMs: number;
    retries: number;
    lrcCovers: 'length-to-etx' | 'message-to-etx' | 'stx-to-etx';
    lrcSeed: number;
  };
  /** Length header of 'length' framing. */
  header: 'binary2' | 'ascii4' | 'bcd2' | 'binary4';
  /** A 5-byte TPDU before the message (swapped on replies). */
  tpdu: boolean;
  /** The ISO 8583 spec of the terminal messages: a built-in name or a spec file. */
  spec: string;
  /** Largest message a frame may carry, TPDU included ('stx-etx': at most 9999, the BCD length's limit). */
  maxFrameSize: number;
  /** 'length' framing: a frame started and not finished in this long means the line stalled; the port is reopened. */
  frameTimeoutMs: number;
  /** Requests being processed at once; more are answered 91 without being processed. */
  maxInFlight: number;
  /** Reopening a port that closed or could not be opened: exponential backoff from initialMs up to maxMs. */
  reopen: { initialMs: number; maxMs: number; jitter: number };
}

export interface AcquirerConfig {
  id: string;
  host: string;
  port: number;
  /** Upstream deadline: below the terminal's own timeout (typically 30 s). */
  deadlineMs: number;
  echoIntervalMs: number;
  /** Field 32 sent upstream. */
  acquiringInstitution: string;
  reconnect: { initialMs: number; maxMs: number; jitter: number };
  maxFrameSize: number;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
  /** Opens after this many consecutive requests with an unknown outcome; lets one probe through after `halfOpenAfterMs`. */
  breaker: { consecutiveFailures: number; halfOpenAfterMs: number };
  /** Start drained: no new authorizations (reversals, advices and completions of its originals still go to it). */
  drained: boolean;
}

/** Card schemes as routing can name them, told apart by BIN. */
export type Scheme = 'visa' | 'mastercard' | 'amex' | 'discover' | 'jcb' | 'unionpay' | 'diners';

export interface RouteRule {
  name: string;
  /** Every condition given must hold; an empty match matches everything. */
  match: {
    bins?: string[];
    schemes?: Scheme[];
    merchants?: string[];
    terminals?: string[];
    /** Inclusive bounds in minor units. */
    minAmount?: number;
    maxAmount?: number;
  };
  /** Acquirer ids in order of preference: the first healthy, undrained one gets the authorization. */
  acquirers: string[];
}

export interface RoutingConfig {
  rules: RouteRule[];
  /** The order when no rule matches; empty means every acquirer in config order. */
  default: string[];
}

export interface SafConfig {
  /** First retry delay; doubles up to `retryMaxMs`. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** After this long unacknowledged a reversal is abandoned, with an alert and a REVERSAL_ABANDONED record. */
  expireAfterMs: number;
  /** How often the queue looks for due items when it is idle. */
  pollMs: number;
}

export interface MerchantConfig {
  id: string;
  name: string;
  enabled: boolean;
  /** The merchant's bearer token for the reconciliation API: it sees its own data only. */
  apiToken?: string;
}

export interface TerminalConfig {
  id: string;
  merchantId: string;
  enabled: boolean;
}

export interface GatewayConfig {
  listeners: ListenerConfig[];
  /** Terminals on serial lines; absent when there are none. */
  serialPorts?: SerialPortConfig[];
  acquirers: AcquirerConfig[];
  routing: RoutingConfig;
  /** `adminToken`: when set, admin routes (drain, resume) need it as a bearer token. */
  http: { host: string; port: number; adminToken?: string };
  store: { driver: 'sqlite'; path: string; synchronous: 'full' | 'normal' };
  saf: SafConfig;
  /** Key of the HMAC that stands for PANs at rest (hex, at least 32 bytes); never the PAN itself. */
  security: { panHashKey: string };
  merchants: MerchantConfig[];
  terminals: TerminalConfig[];
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
}
