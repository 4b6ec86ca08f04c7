import type { ConfigProblem } from './errors.js';

/** Command-line settings that win over the config file. They are applied before validation, so they are checked too. */
export interface ConfigOverrides {
  /** "host:port", "[ipv6]:port" or "port": the first entry sets the first listener's address, the second the second. */
  listen?: string[];
  /** "id=host:port" (or "id=port"): replaces that acquirer's address. */
  acquirer?: string[];
  httpPort?: number;
  httpHost?: string;
  /** Path of the SQLite database file. */
  store?: string;
  logLevel?: string;
}

export interface ConfigFlag {
  /** Long option name, as `node:util` parseArgs takes it: `--${name}`. */
  name: string;
  /** The ConfigOverrides key it sets. */
  key: keyof ConfigOverrides;
  /** Placeholder of the value in --help. */
  value: string;
  type: 'string';
  /** The flag may be given more than once. */
  multiple: boolean;
  help: string;
}

export const CONFIG_FLAGS: readonly ConfigFlag[] = Object.freeze([
  {
    name: 'listen',
    key: 'listen',
    value: '[host:]port',
    type: 'string',
    multiple: true,
    help: 'address of a terminal listener; the first --listen sets the first listener, the second the second',
  },
  {
    name: 'acquirer',
    key: 'acquirer',
    value: 'id=host:port',
    type: 'string',
    multiple: true,
    help: 'connect to the acquirer with this id at another address',
  },
  { name: 'http-port', key: 'httpPort', value: 'port', type: 'string', multiple: false, help: 'port of the HTTP API (0 picks a free port)' },
  { name: 'http-host', key: 'httpHost', value: 'host', type: 'string', multiple: false, help: 'address the HTTP API binds to' },
  { name: 'store', key: 'store', value: 'path', type: 'string', multiple: false, help: 'SQLite database file' },
  {
    name: 'log-level',
    key: 'logLevel',
    value: 'level',
    type: 'string',
    multiple: false,
    help: 'fatal, error, warn, info, debug, trace or silent',
  },
].map((f) => Object.freeze(f as ConfigFlag)));

/** The flags as --help lines, aligned: "  --listen [host:]port     address of ...". */
export function configFlagsHelp(): string {
  const heads = CONFIG_FLAGS.map((f) => `--${f.name} ${f.value}`);
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  return CONFIG_FLAGS.map((f, i) => `  ${heads[i].padEnd(width)}${f.help}${f.multiple ? ' (repeatable)' : ''}`).join('\n');
}

/** ConfigOverrides from the `values` of `node:util` parseArgs run with options built from CONFIG_FLAGS. */
export function overridesFromFlags(values: Readonly<Record<string, unknown>>): ConfigOverrides {
  const out: Record<string, unknown> = {};
  for (const flag of CONFIG_FLAGS) {
    const v = values[flag.name];
    if (v === undefined) continue;
    // A port that is not all digits becomes NaN, which applyOverrides reports naming the flag.
    out[flag.key] = flag.key === 'httpPort' ? (/^[0-9]+$/.test(String(v)) ? Number(v) : Number.NaN) : v;
  }
  return out as ConfigOverrides;
}

/**
 * Writes the overrides into `raw` (a private copy of the parsed file) in place. Parts of the file that are not the
 * expected shape are left alone: the schema reports them. Problems name the flag.
 */
export function applyOverrides(raw: unknown, overrides: ConfigOverrides): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isRecord(raw)) return problems;

  if (overrides.listen !== undefined && overrides.listen.length > 0) {
    raw.listeners ??= [{}];
    const listeners = raw.listeners;
    if (Array.isArray(listeners)) {
      if (overrides.listen.length > listeners.length) {
        const has = listeners.length === 1 ? '1 listener' : `${listeners.length} listeners`;
        problems.push({ path: '--listen', message: `given ${overrides.listen.length} times, but the config has ${has}` });
      }
      overrides.listen.forEach((text, i) => {
        const address = parseAddress(text, 0);
        if (typeof address === 'string') problems.push({ path: '--listen', message: address });
        else if (isRecord(listeners[i])) setAddress(listeners[i], address);
      });
    }
  }

  for (const text of overrides.acquirer ?? []) {
    const eq = text.indexOf('=');
    const id = text.slice(0, eq);
    const address = eq > 0 ? parseAddress(text.slice(eq + 1), 1) : `"${text}" is not "id=host:port"`;
    if (typeof address === 'string') {
      problems.push({ path: '--acquirer', message: address });
      continue;
    }
    const target = Array.isArray(raw.acquirers) ? raw.acquirers.find((a) => isRecord(a) && a.id === id) : undefined;
    if (isRecord(target)) setAddress(target, address);
    else problems.push({ path: '--acquirer', message: `no acquirer "${id}" in the config` });
  }

  if (overrides.httpPort !== undefined || overrides.httpHost !== undefined) {
    raw.http ??= {};
    const { httpPort, httpHost } = overrides;
    if (httpPort !== undefined && !isPort(httpPort, 0)) {
      problems.push({ path: '--http-port', message: 'must be an integer from 0 to 65535' });
    } else if (httpPort !== undefined && isRecord(raw.http)) {
      raw.http.port = httpPort;
    }
    if (httpHost !== undefined && isRecord(raw.http)) raw.http.host = httpHost;
  }

  if (overrides.store !== undefined) {
    raw.store ??= {};
    if (isRecord(raw.store)) raw.store.path = overrides.store;
  }

  if (overrides.logLevel !== undefined) {
    raw.log ??= {};
    if (isRecord(raw.log)) raw.log.level = overrides.logLevel;
  }
  return problems;
}

interface Address {
  host?: string;
  port: number;
}

/** "host:port", "[ipv6]:port" or "port"; a string is the problem. */
function parseAddress(text: string, minPort: number): Address | string {
  const m = /^(?:\[([^\]]+)\]:|([^:\s[\]]+):)?([0-9]+)$/.exec(text);
  if (m === null) return `"${text}" is not "host:port", "[ipv6]:port" or "port"`;
  const port = Number(m[3]);
  if (!isPort(port, minPort)) return `port in "${text}" must be from ${minPort} to 65535`;
  const host = m[1] ?? m[2];
  return host === undefined ? { port } : { host, port };
}

function setAddress(target: Record<string, unknown>, address: Address): void {
  if (address.host !== undefined) target.host = address.host;
  target.port = address.port;
}

function isPort(n: number, min: number): boolean {
  return Number.isInteger(n) && n >= min && n <= 65535;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
