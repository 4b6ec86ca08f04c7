import { formatDuration, parseDuration } from './duration.js';

/**
 * The faults a tester can switch on, by the name the CLI (`--fault NAME[=VALUE]`) and scenario files use. The first
 * seven act on the wire (the transaction's own request or its reply), the last three are buggy device behaviour.
 */
export const Faults = {
  'drop-reply': 'the reply is lost on its way back: the terminal times out and saves a reversal',
  disconnect: 'the terminal closes the connection right after sending the request',
  'send-twice': 'the request is written twice in a row, as by a terminal that resends without waiting',
  corrupt: 'garbled request: "message" (default) breaks its first field so it cannot be decoded; "frame" breaks the length header',
  slow: 'the request is trickled out CHUNK bytes every INTERVAL: slow=CHUNK/INTERVAL (default 4/50ms)',
  'wrong-mac': 'field 64 carries a MAC that does not verify under the terminal MAC key',
  'clock-skew': "the terminal's clock is off: clock-skew=+2h, -26h, 90s (fields 12, 13, EMV 9A)",
  'unknown-terminal': 'field 41 names a terminal the gateway does not know: unknown-terminal=ID (default UNKNOWN0)',
  'skip-reversal': 'buggy terminal: never sends the reversal it saved',
  'print-approved-on-timeout': 'buggy terminal: prints an APPROVED receipt when no answer came (its reversal still goes out)',
  'skip-advice': 'buggy terminal: never sends its advices; offline sales drop out of its batch, receipts printed',
} as const;
export type FaultName = keyof typeof Faults;
export const FaultNames = Object.keys(Faults) as FaultName[];

/** Faults as parsed: every one optional. */
export interface FaultSet {
  dropReply?: boolean;
  disconnect?: boolean;
  sendTwice?: boolean;
  corrupt?: 'message' | 'frame';
  slow?: { chunk: number; intervalMs: number };
  wrongMac?: boolean;
  /** Added to the terminal's clock, in milliseconds. */
  clockSkewMs?: number;
  unknownTerminal?: string;
  skipReversal?: boolean;
  printApprovedOnTimeout?: boolean;
  skipAdvice?: boolean;
}

export const DEFAULT_UNKNOWN_TERMINAL = 'UNKNOWN0';
const DEFAULT_SLOW = { chunk: 4, intervalMs: 50 } as const;

/** A fault given wrongly; `path` names it ("--fault slow", "steps[3].faults.slow"). */
export class FaultError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'FaultError';
  }
}

/**
 * Parses faults given as an object of name -> value (scenario files) where the value is true, a string as the CLI
 * takes it, or for slow an object {chunk, interval}. `false` leaves the fault off.
 */
export function parseFaults(input: unknown, path: string): FaultSet {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FaultError(path, 'must be an object of fault name -> value');
  let set: FaultSet = {};
  for (const [name, value] of Object.entries(input)) {
    if (!Object.hasOwn(Faults, name)) throw new FaultError(`${path}`, `unknown fault "${name}" (known: ${FaultNames.join(', ')})`);
    if (value === false) continue;
    set = { ...set, ...parseFault(name as FaultName, value, `${path}.${name}`) };
  }
  return set;
}

/** "--fault drop-reply", "--fault clock-skew=-26h": the CLI's form. */
export function parseFaultFlags(flags: readonly string[]): FaultSet {
  let set: FaultSet = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const name = eq < 0 ? flag : flag.slice(0, eq);
    if (!Object.hasOwn(Faults, name)) throw new FaultError(`--fault ${name}`, `unknown fault (known: ${FaultNames.join(', ')})`);
    set = { ...set, ...parseFault(name as FaultName, eq < 0 ? true : flag.slice(eq + 1), `--fault ${name}`) };
  }
  return set;
}

function parseFault(name: FaultName, value: unknown, path: string): FaultSet {
  const flag = (): true => {
    if (value !== true) throw new FaultError(path, 'takes no value (true)');
    return true;
  };
  switch (name) {
    case 'drop-reply':
      return { dropReply: flag() };
    case 'disconnect':
      return { disconnect: flag() };
    case 'send-twice':
      return { sendTwice: flag() };
    case 'wrong-mac':
      return { wrongMac: flag() };
    case 'skip-reversal':
      return { skipReversal: flag() };
    case 'print-approved-on-timeout':
      return { printApprovedOnTimeout: flag() };
    case 'skip-advice':
      return { skipAdvice: flag() };
    case 'corrupt':
      if (value === true || value === 'message') return { corrupt: 'message' };
      if (value === 'frame') return { corrupt: 'frame' };
      throw new FaultError(path, 'must be true, "message" or "frame"');
    case 'unknown-terminal':
      if (value === true) return { unknownTerminal: DEFAULT_UNKNOWN_TERMINAL };
      if (typeof value === 'string' && /^[A-Za-z0-9_-]{1,8}$/.test(value)) return { unknownTerminal: value };
      throw new FaultError(path, 'must be true or a terminal id of 1 to 8 letters or digits');
    case 'clock-skew':
      return { clockSkewMs: wrap(path, () => parseDuration(value, 'the skew', { signed: true, maxMs: 400 * 86_400_000 })) };
    case 'slow':
      return { slow: parseSlow(value, path) };
  }
}

function parseSlow(value: unknown, path: string): { chunk: number; intervalMs: number } {
  if (value === true) return { ...DEFAULT_SLOW };
  let chunk: unknown;
  let interval: unknown;
  if (typeof value === 'string') {
    const m = /^(\d+)\/(.+)$/.exec(value);
    if (m === null) throw new FaultError(path, 'must be CHUNK/INTERVAL, e.g. 4/50ms');
    [chunk, interval] = [Number(m[1]), m[2]];
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const key of Object.keys(value)) if (key !== 'chunk' && key !== 'interval') throw new FaultError(path, `unknown key "${key}" (known: chunk, interval)`);
    ({ chunk = DEFAULT_SLOW.chunk, interval = formatDuration(DEFAULT_SLOW.intervalMs) } = value as { chunk?: unknown; interval?: unknown });
  } else {
    throw new FaultError(path, 'must be true, "CHUNK/INTERVAL" or {"chunk": N, "interval": "50ms"}');
  }
  if (!Number.isSafeInteger(chunk) || (chunk as number) < 1 || (chunk as number) > 4096) throw new FaultError(`${path}.chunk`, 'must be an integer from 1 to 4096 (bytes)');
  const intervalMs = wrap(`${path}.interval`, () => parseDuration(interval, 'the interval', { maxMs: 60_000 }));
  return { chunk: chunk as number, intervalMs };
}

function wrap<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new FaultError(path, (e as Error).message);
  }
}

/** Whether any wire fault is on: only then is the request decoded on its way out. */
export function hasWireFaults(f: FaultSet): boolean {
  return f.dropReply === true || f.disconnect === true || f.sendTwice === true || f.corrupt !== undefined || f.slow !== undefined || f.wrongMac === true || f.unknownTerminal !== undefined;
}

/** Back to names and values, for reports. */
export function describeFaults(f: FaultSet): string[] {
  const out: string[] = [];
  if (f.dropReply) out.push('drop-reply');
  if (f.disconnect) out.push('disconnect');
  if (f.sendTwice) out.push('send-twice');
  if (f.corrupt !== undefined) out.push(`corrupt=${f.corrupt}`);
  if (f.slow !== undefined) out.push(`slow=${f.slow.chunk}/${formatDuration(f.slow.intervalMs)}`);
  if (f.wrongMac) out.push('wrong-mac');
  if (f.clockSkewMs !== undefined) out.push(`clock-skew=${f.clockSkewMs >= 0 ? '+' : ''}${formatDuration(f.clockSkewMs)}`);
  if (f.unknownTerminal !== undefined) out.push(`unknown-terminal=${f.unknownTerminal}`);
  if (f.skipReversal) out.push('skip-reversal');
  if (f.printApprovedOnTimeout) out.push('print-approved-on-timeout');
  if (f.skipAdvice) out.push('skip-advice');
  return out;
}
