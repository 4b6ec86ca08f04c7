/**
 * The journal's tables in PostgreSQL: the same tables and columns as the SQLite journal (schema.ts). Amounts and
 * times are BIGINT (minor units, ms since the epoch); cards only as a keyed hash and a masked PAN. Keys that reads
 * order by are COLLATE "C": byte order, as SQLite's, whatever the database's collation.
 *
 * Every statement is idempotent (IF NOT EXISTS): the store runs them all at each start, under the journal's lock, so
 * two processes starting at once do not race. A column added later goes in MIGRATIONS as ADD COLUMN IF NOT EXISTS.
 */
export const PG_SCHEMA = `
CREATE TABLE IF NOT EXISTS transactions (
  id BIGSERIAL PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  batch_no TEXT NOT NULL,
  stan TEXT NOT NULL,
  local_date TEXT NOT NULL,
  mti_class TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  mti TEXT NOT NULL,
  proc_code TEXT NOT NULL,
  local_time TEXT NOT NULL,
  invoice TEXT,
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  pan_hash TEXT,
  pan_masked TEXT,
  entry_mode TEXT,
  fingerprint TEXT NOT NULL,
  acquirer_id TEXT,
  route TEXT,
  upstream_stan TEXT,
  rrn TEXT NOT NULL UNIQUE,
  rrn_seq BIGINT NOT NULL,
  transmitted_at TEXT,
  state TEXT NOT NULL,
  response_code TEXT,
  auth_code TEXT,
  captured BOOLEAN NOT NULL DEFAULT FALSE,
  original_id BIGINT REFERENCES transactions(id),
  reversal TEXT,
  late_response_code TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  -- from transactions_change_seq, taken by every insert and update inside the journal's lock (postgres.ts)
  change_seq BIGINT NOT NULL,
  CONSTRAINT transactions_key UNIQUE (terminal_id, batch_no, stan, local_date, mti_class)
);
CREATE SEQUENCE IF NOT EXISTS transactions_change_seq;
-- only the requests still waiting for a reply (recovery's question at start), as in the SQLite journal
CREATE INDEX IF NOT EXISTS transactions_forwarding ON transactions (id) WHERE state = 'forwarding';
-- a batch's rows are found through the key's (terminal_id, batch_no) prefix; an index with captured in it would make
-- every outcome a non-HOT update
CREATE INDEX IF NOT EXISTS transactions_change ON transactions (change_seq);

CREATE TABLE IF NOT EXISTS saf (
  id BIGSERIAL PRIMARY KEY,
  tx_id BIGINT NOT NULL UNIQUE REFERENCES transactions(id),
  acquirer_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  state TEXT NOT NULL,
  last_result TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS saf_due ON saf (acquirer_id, state, next_attempt_at);
CREATE INDEX IF NOT EXISTS saf_updated ON saf (updated_at);

CREATE TABLE IF NOT EXISTS batches (
  terminal_id TEXT COLLATE "C" NOT NULL,
  batch_no TEXT COLLATE "C" NOT NULL,
  merchant_id TEXT NOT NULL,
  status TEXT NOT NULL,
  terminal_totals TEXT,
  upload_totals TEXT,
  opened_at BIGINT NOT NULL,
  closed_at BIGINT,
  closed_by_stan TEXT,
  PRIMARY KEY (terminal_id, batch_no)
);

CREATE TABLE IF NOT EXISTS uploads (
  id BIGSERIAL PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  batch_no TEXT NOT NULL,
  original_mti TEXT NOT NULL,
  original_stan TEXT NOT NULL,
  proc_code TEXT NOT NULL,
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  rrn TEXT,
  auth_code TEXT,
  pan_hash TEXT,
  pan_masked TEXT,
  local_date TEXT,
  local_time TEXT,
  invoice TEXT,
  matched_tx_id BIGINT REFERENCES transactions(id),
  created_at BIGINT NOT NULL
);
-- a terminal that resends an upload frame does not add a second receipt
CREATE UNIQUE INDEX IF NOT EXISTS uploads_receipt ON uploads (terminal_id, batch_no, original_mti, original_stan);

CREATE TABLE IF NOT EXISTS settlement_reports (
  report_id TEXT COLLATE "C" PRIMARY KEY,
  acquirer_id TEXT NOT NULL,
  settlement_date TEXT COLLATE "C" NOT NULL,
  lines INTEGER NOT NULL,
  imported_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS credits (
  report_id TEXT COLLATE "C" NOT NULL REFERENCES settlement_reports(report_id),
  line INTEGER NOT NULL,
  record TEXT NOT NULL,
  acquirer_id TEXT NOT NULL,
  settlement_date TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  terminal_id TEXT,
  rrn TEXT,
  auth_code TEXT,
  pan_masked TEXT,
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  transaction_date TEXT,
  fee BIGINT NOT NULL,
  net_amount BIGINT NOT NULL,
  PRIMARY KEY (report_id, line)
);
CREATE INDEX IF NOT EXISTS credits_rrn ON credits (rrn);

CREATE TABLE IF NOT EXISTS exceptions (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,
  tx_id BIGINT REFERENCES transactions(id),
  terminal_id TEXT,
  merchant_id TEXT,
  detail TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS receipts (
  id BIGSERIAL PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  batch_no TEXT NOT NULL,
  stan TEXT NOT NULL,
  local_date TEXT NOT NULL,
  kind TEXT NOT NULL,
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  rrn TEXT,
  auth_code TEXT,
  pan_masked TEXT,
  invoice TEXT,
  source TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (terminal_id, batch_no, stan, local_date)
);
CREATE INDEX IF NOT EXISTS receipts_created ON receipts (created_at);

CREATE TABLE IF NOT EXISTS cases (
  id TEXT COLLATE "C" PRIMARY KEY,
  merchant_id TEXT,
  class TEXT NOT NULL,
  status TEXT NOT NULL,
  data TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_merchant ON cases (merchant_id, status);

-- the live feed's journal: id is the global (operator's) cursor, seq the merchant's, 1, 2, 3... without gaps
CREATE TABLE IF NOT EXISTS events (
  id BIGSERIAL PRIMARY KEY,
  merchant_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (merchant_id, seq)
);
`;

/** Changes to tables that exist already, run after PG_SCHEMA (ALTER TABLE ... ADD COLUMN IF NOT EXISTS, DROP INDEX IF EXISTS). */
export const PG_MIGRATIONS: readonly string[] = ['DROP INDEX IF EXISTS transactions_batch'];

/** A schema name as written unquoted: lower case, so it never needs quoting and reads the same in psql. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The key of the journal's transaction-level advisory lock: every write transaction takes it first, so writers
 * (this process's one writer connection, another gateway's, the import CLI's) commit one after another.
 */
export function journalLockSql(schema: string): string {
  // the name goes into SQL text: only a checked one
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`schema name ${JSON.stringify(schema)} is not a lower-case name`);
  return `SELECT pg_advisory_xact_lock(hashtext('posgw-journal:${schema}'))`;
}
