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
  /** When this acquirer pays and where its reports are fetched. Always present after parsing (defaults). */
  settlement?: AcquirerSettlementConfig;
}

/** Reconciliation of this acquirer's credits: its settlement window and the automatic fetch of its reports. */
export interface AcquirerSettlementConfig {
  /** T+n: a sale approved on day T is paid n days later. */
  settleAfterDays: number;
  /** Days past that before a missing credit is an exception (before then it is EXPECTED). */
  graceDays: number;
  /** Fetch the day's settlement report(s) from the acquirer's HTTP API once a day; absent: reports are imported by hand. */
  fetch?: {
    /** Base URL: reports are listed at `<url>/settlement/reports` and read at `<url>/settlement/reports/<id>` (CSV). */
    url: string;
    /** "HH:MM", gateway local time (recon.utcOffsetMinutes). */
    at: string;
    /** Sent as `Authorization: Bearer <token>`. */
    token?: string;
  };
}

/** Reconciliation: the gateway's day, stale batches, the automatic rules and the report fetch's timing. */
export interface ReconConfig {
  /** The gateway's local time zone: days (transaction, settlement, fetch time) begin at local midnight. */
  utcOffsetMinutes: number;
  /** A batch open longer than this is a STALE_OPEN_BATCH case. */
  batchStaleAfterMs: number;
  rules: {
    /** A sale credited twice: the surplus credits are marked for refund (case acknowledged by the rule). */
    duplicateRefund: boolean;
    /** An amount variance of at most this many minor units is accepted (case resolved); absent: off. */
    amountTolerance?: number;
    /** A missing credit that arrives late closes its case as LATE_CREDIT. */
    lateCreditCloses: boolean;
  };
  /** The automatic report fetch: how often the clock is looked at, and the backoff of retries after a failure. */
  fetch: { pollMs: number; timeoutMs: number; retryInitialMs: number; retryMaxMs: number };
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
  /**
   * How often requests journaled as forwarded with no flow to finish them are looked for (one is reversed when seen at
   * two checks in a row); default 10 s.
   */
  strandedCheckMs?: number;
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

/**
 * Early-warning alerts: business signals evaluated every `evaluateEveryMs` of the gateway clock. Each rule raises at
 * its `raise*` level and clears only once its value has stayed past its `clear*` level (or the condition has gone)
 * for `clearAfterMs`, so an alert does not flap.
 */
export interface AlertsConfig {
  enabled: boolean;
  evaluateEveryMs: number;
  clearAfterMs: number;
  /** Approval rate of the last `recentMs` against the `baselineMs` before it, per merchant and per acquirer. */
  approvalRate: {
    enabled: boolean;
    recentMs: number;
    baselineMs: number;
    /** Requests in the recent window / in the baseline before the rate counts. */
    minSamples: number;
    minBaselineSamples: number;
    /** A drop of this many percentage points below the baseline raises; below `clearDropPoints` it clears. */
    raiseDropPoints: number;
    clearDropPoints: number;
  };
  /** Share of requests to an acquirer that timed out or could not be sent, over the last `windowMs`. */
  upstreamTimeouts: { enabled: boolean; windowMs: number; minSamples: number; raisePercent: number; clearPercent: number };
  /** 95th percentile of the acquirer's reply time over the last `windowMs`. */
  upstreamLatency: { enabled: boolean; windowMs: number; minSamples: number; raiseP95Ms: number; clearP95Ms: number };
  /** A merchant's requests in the last `windowMs` as a percentage of the same window on the previous `lookbackDays` days. */
  volume: { enabled: boolean; windowMs: number; lookbackDays: number; minBaseline: number; raisePercent: number; clearPercent: number };
  /** Open RECEIPT_WITHOUT_CREDIT cases of a merchant. */
  receiptsWithoutCredit: { enabled: boolean; raiseCount: number; clearCount: number };
  /** Age of the oldest reversal waiting in an acquirer's store-and-forward queue. */
  safBacklog: { enabled: boolean; raiseAgeMs: number; clearAgeMs: number };
  /** Age of a terminal's oldest open batch; clears when the batch closes. */
  openBatch: { enabled: boolean; raiseAgeMs: number };
  /** POST {alert, change} here on every raise and clear (chat or paging tools); absent: no webhook. */
  webhook?: { url: string; timeoutMs: number; retries: number; backoffMs: number };
}

/** The WebSocket settlement feed (docs/websocket-feed.md). */
export interface FeedConfig {
  /** Ping every client this often; one that has not answered the previous ping is dropped. */
  pingIntervalMs: number;
  /** A client must send its hello within this. */
  helloTimeoutMs: number;
  /** A client with more than this waiting to be sent is closed with 4008 (it reconnects with `since`). */
  maxBufferedBytes: number;
  /** Events read from the journal per page of a replay. */
  replayPageSize: number;
  /** Feed connections at once; more are refused (503). */
  maxClients: number;
}

/** The journal: a SQLite file (`path`, `synchronous`) or a PostgreSQL database (`url`, `schema`). */
export interface StoreConfig {
  driver: 'sqlite' | 'postgres';
  /** SQLite: the journal file. */
  path: string;
  /** SQLite: "full" syncs every commit before answering; "normal" survives kill -9 only. */
  synchronous: 'full' | 'normal';
  /** SQLite: statements, commits and syncs on a thread of their own instead of the event loop; false when absent. */
  thread?: boolean;
  /** PostgreSQL: postgres://user:password@host:port/database; required with driver "postgres". */
  url?: string;
  /** PostgreSQL: the schema of the journal's tables, created when missing; "public" when absent. */
  schema?: string;
}

export interface GatewayConfig {
  listeners: ListenerConfig[];
  /** Terminals on serial lines; absent when there are none. */
  serialPorts?: SerialPortConfig[];
  acquirers: AcquirerConfig[];
  routing: RoutingConfig;
  /** `adminToken`: when set, admin routes (drain, resume) need it as a bearer token. */
  http: { host: string; port: number; adminToken?: string };
  store: StoreConfig;
  saf: SafConfig;
  /** Key of the HMAC that stands for PANs at rest (hex, at least 32 bytes); never the PAN itself. */
  security: { panHashKey: string };
  merchants: MerchantConfig[];
  terminals: TerminalConfig[];
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  /** Always present after parsing (defaults); optional for configs built in code. */
  recon?: ReconConfig;
  /** The WebSocket feed; absent in a config built in code: DEFAULT_FEED applies. */
  feed?: FeedConfig;
  /** Always present after parsing (defaults); optional for configs built in code. */
  alerts?: AlertsConfig;
}
