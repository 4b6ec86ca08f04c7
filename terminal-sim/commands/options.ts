import { linkDefaults } from '../transport/index.js';

export interface OptionDef {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in the usage text. */
  arg?: string;
  help: string;
  /** May come from a profile. */
  profile?: boolean;
  /** May be given more than once (the values collect in an array). */
  multiple?: boolean;
}

export type OptionTable = Record<string, OptionDef>;

export const DEFAULT_DATA_DIR = './terminal-data';
export const DEFAULT_PROFILES_FILE = './terminal-sim.json';
export const DEFAULT_TIMEOUT_S = 30;

/** How to reach the gateway: the terminal link profile and its variations. */
export const linkOptions: OptionTable = {
  target: { type: 'string', arg: 'URL', help: 'the gateway: tcp://host:port, tls://host:port or serial:PATH?baud=9600&dataBits=8&parity=none&stopBits=1&framing=stx-etx|length (serial defaults 9600 8N1, stx-etx)', profile: true },
  timeout: { type: 'string', arg: 'SECONDS', help: `how long to wait for each reply: 30, 2.5, 500ms (default ${DEFAULT_TIMEOUT_S})`, profile: true },
  header: { type: 'string', arg: 'KIND', help: `length header: binary2, ascii4 or bcd2 (default ${linkDefaults.header})`, profile: true },
  tpdu: { type: 'string', arg: 'on|off', help: 'send a 5-byte TPDU before each message (default on)', profile: true },
  nii: { type: 'string', arg: 'NNN', help: 'TPDU destination NII, up to 4 hex digits (default 001)', profile: true },
  'source-nii': { type: 'string', arg: 'NNN', help: 'TPDU source NII (default 000)', profile: true },
  spec: { type: 'string', arg: 'NAME|FILE', help: `message spec: iso87binary, iso87ascii, iso93ascii or a .json/.xml file (default ${linkDefaults.spec})`, profile: true },
  ca: { type: 'string', arg: 'FILE', help: 'tls: PEM CA that signs the gateway certificate', profile: true },
  cert: { type: 'string', arg: 'FILE', help: 'tls: client certificate (PEM)', profile: true },
  key: { type: 'string', arg: 'FILE', help: 'tls: client key (PEM)', profile: true },
  insecure: { type: 'boolean', help: 'tls: accept any server certificate (test setups only)', profile: true },
};

/** Who the terminal is and where it keeps its journal. */
export const terminalOptions: OptionTable = {
  terminal: { type: 'string', arg: 'ID', help: 'terminal id, field 41 (8 characters)', profile: true },
  merchant: { type: 'string', arg: 'ID', help: 'merchant id, field 42 (15 characters); required the first time', profile: true },
  'merchant-name': { type: 'string', arg: 'TEXT', help: 'name printed on receipts (default: the merchant id)', profile: true },
  'data-dir': { type: 'string', arg: 'DIR', help: `where terminal journals live, one JSON file each (default ${DEFAULT_DATA_DIR})`, profile: true },
  currency: { type: 'string', arg: 'NNN', help: 'ISO 4217 numeric currency, field 49 (default 840)', profile: true },
  'receipts-dir': { type: 'string', arg: 'DIR', help: 'write receipts there as text files instead of printing them', profile: true },
  'data-key-file': { type: 'string', arg: 'FILE', help: '64 hex digits: the key card data is sealed under in the journal (or $TERMINAL_SIM_DATA_KEY; default: derived from the key set)', profile: true },
  json: { type: 'boolean', help: 'print one JSON object (machine output) instead of receipts', profile: true },
  profile: { type: 'string', arg: 'NAME', help: `take options from this profile of ${DEFAULT_PROFILES_FILE} (or --profiles)` },
  profiles: { type: 'string', arg: 'FILE', help: `the profiles file (default ${DEFAULT_PROFILES_FILE})` },
  help: { type: 'boolean', short: 'h', help: 'this help' },
};

/** Faults for this transaction: `--fault NAME[=VALUE]`, repeatable. */
export const faultOptions: OptionTable = {
  fault: { type: 'string', multiple: true, arg: 'NAME[=VALUE]', help: 'switch a fault on for this transaction (repeatable; see Faults below)' },
};

/** The card and how it is read. */
export const cardOptions: OptionTable = {
  amount: { type: 'string', arg: 'MONEY', help: 'amount as decimal money, e.g. 12.34 (required)' },
  card: { type: 'string', arg: 'NAME', help: 'built-in test card: visa, visa2, mastercard, mastercard2, amex, discover, jcb, unionpay, diners, maestro (default visa)', profile: true },
  pan: { type: 'string', arg: 'DIGITS', help: 'a card number of your own (Luhn-checked); keyed entry unless --entry says otherwise' },
  expiry: { type: 'string', arg: 'YYMM', help: 'expiry date for --pan (default 2812)' },
  track2: { type: 'string', arg: 'DATA', help: 'track 2 of your own: PAN=YYMM + service code + discretionary data' },
  entry: { type: 'string', arg: 'MODE', help: 'chip, swipe, contactless or manual (default chip; manual with --pan)', profile: true },
  pin: { type: 'string', arg: 'DIGITS', help: 'PIN: sends an ISO 9564 format 0 PIN block (field 52) under the test PIN key' },
  emv: { type: 'string', arg: 'on|off', help: 'chip data in field 55 for chip and contactless reads (default on)', profile: true },
  'key-set': { type: 'string', arg: 'NAME', help: 'test key set: test (double-length) or test3 (triple-length) (default test)', profile: true },
  country: { type: 'string', arg: 'NNN', help: 'terminal country for EMV tag 9F1A (default 840)', profile: true },
};

export const offlineOptions: OptionTable = {
  offline: { type: 'boolean', help: 'decide offline without trying the host (below --floor-limit: approved, else declined)' },
  'floor-limit': { type: 'string', arg: 'MONEY', help: 'purchases below this are approved offline when the host is unreachable (default 0: never)', profile: true },
};

export const refOptions: OptionTable = {
  invoice: { type: 'string', arg: 'N', help: 'the transaction by its invoice number (on the receipt)' },
  rrn: { type: 'string', arg: 'RRN', help: 'the transaction by its retrieval reference number (on the receipt)' },
};

/** Every option a profile may set, across commands. */
export function profileKeys(): Set<string> {
  const keys = new Set<string>();
  for (const table of [linkOptions, terminalOptions, cardOptions, offlineOptions]) {
    for (const [name, def] of Object.entries(table)) if (def.profile === true) keys.add(name);
  }
  return keys;
}

/** The usage text's option lines. */
export function describeOptions(table: OptionTable): string {
  return Object.entries(table)
    .map(([name, def]) => {
      const left = `${def.short ? `-${def.short}, ` : '    '}--${name}${def.arg ? ` ${def.arg}` : ''}`;
      return `  ${left.padEnd(28)} ${def.help}`;
    })
    .join('\n');
}

/** parseArgs' option config for a table. */
export function parseArgsConfig(table: OptionTable): Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> {
  const out: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, def] of Object.entries(table)) {
    out[name] = { type: def.type, ...(def.short ? { short: def.short } : {}), ...(def.multiple ? { multiple: true } : {}) };
  }
  return out;
}
