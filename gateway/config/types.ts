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
}

export interface TerminalConfig {
  id: string;
  merchantId: string;
  enabled: boolean;
}

export interface GatewayConfig {
  listeners: ListenerConfig[];
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
