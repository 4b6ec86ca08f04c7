/** The journal's tables. Amounts are INTEGER minor units; cards only as a keyed hash and a masked PAN. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS transactions (
  id INTEGER PRIMARY KEY,
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
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  pan_hash TEXT,
  pan_masked TEXT,
  entry_mode TEXT,
  fingerprint TEXT NOT NULL,
  acquirer_id TEXT,
  route TEXT,
  upstream_stan TEXT,
  rrn TEXT NOT NULL UNIQUE,
  rrn_seq INTEGER NOT NULL,
  transmitted_at TEXT,
  state TEXT NOT NULL,
  response_code TEXT,
  auth_code TEXT,
  captured INTEGER NOT NULL DEFAULT 0,
  original_id INTEGER REFERENCES transactions(id),
  reversal TEXT,
  late_response_code TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- the store's own counter, raised by every insert and update: reconciliation reads what changed after its last
  -- number, exactly (a clock-time stamp can be taken a little before its write lands)
  change_seq INTEGER NOT NULL DEFAULT 0,
  UNIQUE (terminal_id, batch_no, stan, local_date, mti_class)
);
-- only the requests still waiting for a reply (recovery's question at start): a tiny index, where one on every
-- row's state or update time cost two B-tree updates per authorization for queries nothing hot asks
CREATE INDEX IF NOT EXISTS transactions_forwarding ON transactions (id) WHERE state = 'forwarding';
-- a batch's rows (totals, voids by invoice) are found through the key's (terminal_id, batch_no) prefix: an index of
-- their own, with captured in it, cost a B-tree update on every insert and every outcome

CREATE TABLE IF NOT EXISTS saf (
  id INTEGER PRIMARY KEY,
  tx_id INTEGER NOT NULL UNIQUE REFERENCES transactions(id),
  acquirer_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  last_result TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS saf_due ON saf (acquirer_id, state, next_attempt_at);

CREATE TABLE IF NOT EXISTS batches (
  terminal_id TEXT NOT NULL,
  batch_no TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  status TEXT NOT NULL,
  terminal_totals TEXT,
  upload_totals TEXT,
  opened_at INTEGER NOT NULL,
  closed_at INTEGER,
  closed_by_stan TEXT,
  PRIMARY KEY (terminal_id, batch_no)
);

CREATE TABLE IF NOT EXISTS uploads (
  id INTEGER PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  batch_no TEXT NOT NULL,
  original_mti TEXT NOT NULL,
  original_stan TEXT NOT NULL,
  proc_code TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  rrn TEXT,
  auth_code TEXT,
  pan_hash TEXT,
  pan_masked TEXT,
  local_date TEXT,
  local_time TEXT,
  invoice TEXT,
  matched_tx_id INTEGER REFERENCES transactions(id),
  created_at INTEGER NOT NULL
);
-- a terminal that resends an upload frame does not add a second receipt
CREATE UNIQUE INDEX IF NOT EXISTS uploads_receipt ON uploads (terminal_id, batch_no, original_mti, original_stan);

-- the acquirer's settlement reports, each imported once; their lines are what the acquirer paid
CREATE TABLE IF NOT EXISTS settlement_reports (
  report_id TEXT PRIMARY KEY,
  acquirer_id TEXT NOT NULL,
  settlement_date TEXT NOT NULL,
  lines INTEGER NOT NULL,
  imported_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS credits (
  report_id TEXT NOT NULL REFERENCES settlement_reports(report_id),
  line INTEGER NOT NULL,
  record TEXT NOT NULL,
  acquirer_id TEXT NOT NULL,
  settlement_date TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  terminal_id TEXT,
  rrn TEXT,
  auth_code TEXT,
  pan_masked TEXT,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  transaction_date TEXT,
  fee INTEGER NOT NULL,
  net_amount INTEGER NOT NULL,
  PRIMARY KEY (report_id, line)
);
CREATE INDEX IF NOT EXISTS credits_rrn ON credits (rrn);

CREATE TABLE IF NOT EXISTS exceptions (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  tx_id INTEGER REFERENCES transactions(id),
  terminal_id TEXT,
  merchant_id TEXT,
  detail TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- receipts the terminals printed, from the merchants' receipt exports; one per terminal key
CREATE TABLE IF NOT EXISTS receipts (
  id INTEGER PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  batch_no TEXT NOT NULL,
  stan TEXT NOT NULL,
  local_date TEXT NOT NULL,
  kind TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  rrn TEXT,
  auth_code TEXT,
  pan_masked TEXT,
  invoice TEXT,
  source TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (terminal_id, batch_no, stan, local_date)
);
CREATE INDEX IF NOT EXISTS receipts_created ON receipts (created_at);

-- reconciliation cases: people's actions and the audit trail outlive a restart; data holds the whole case as JSON
CREATE TABLE IF NOT EXISTS cases (
  id TEXT PRIMARY KEY,
  merchant_id TEXT,
  class TEXT NOT NULL,
  status TEXT NOT NULL,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_merchant ON cases (merchant_id, status);

-- the live feed's journal: id is the global (operator's) cursor, seq the merchant's, 1, 2, 3... without gaps
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  merchant_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (merchant_id, seq)
);
`;

/** Changes to tables that already exist in an older journal file: each runs when its column is missing. */
export const MIGRATIONS = [
  {
    table: 'transactions',
    column: 'change_seq',
    sql: `ALTER TABLE transactions ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0`,
  },
] as const;

/** Indexes on migrated columns, created after the migrations; and indexes older files have that are gone. */
export const LATE_INDEXES = `CREATE INDEX IF NOT EXISTS transactions_change ON transactions (change_seq);
DROP INDEX IF EXISTS transactions_state;
DROP INDEX IF EXISTS transactions_updated;
DROP INDEX IF EXISTS transactions_batch;`;
