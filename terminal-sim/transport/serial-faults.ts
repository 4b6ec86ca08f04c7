/**
 * Faults a serial line has, switched on for one transaction's request (`--fault NAME[=VALUE]`, next to the wire
 * faults). They act below the message: on the frame, its ACK and the line itself.
 */
export const SerialFaults = {
  'corrupt-byte': 'serial: one bit of one message byte is flipped in the request frame (the gateway NAKs, the frame is sent again)',
  'drop-ack': 'serial: the reply frame is not ACKed once (the gateway retransmits it; the repeat is dropped here)',
  'repeat-frame': 'serial: the request frame is sent again after its ACK, as after an ACK lost on the line',
  pause: 'serial: the line stalls in the middle of the request frame: pause=DURATION (default 1s)',
  break: 'serial: a line break before the request: break=DURATION (default 250ms); reopens the port where break is unsupported',
} as const;
export type SerialFaultName = keyof typeof SerialFaults;
export const SerialFaultNames = Object.keys(SerialFaults) as SerialFaultName[];

export interface SerialFaultSet {
  corruptByte?: boolean;
  dropAck?: boolean;
  repeatFrame?: boolean;
  pauseMs?: number;
  breakMs?: number;
}

const DEFAULT_PAUSE_MS = 1000;
const DEFAULT_BREAK_MS = 250;

export function isSerialFaultFlag(flag: string): boolean {
  const eq = flag.indexOf('=');
  return Object.hasOwn(SerialFaults, eq < 0 ? flag : flag.slice(0, eq));
}

/** "--fault drop-ack", "--fault pause=800ms"; throws TypeError naming the flag. */
export function parseSerialFaultFlags(flags: readonly string[]): SerialFaultSet {
  const set: SerialFaultSet = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const name = eq < 0 ? flag : flag.slice(0, eq);
    const value = eq < 0 ? undefined : flag.slice(eq + 1);
    const none = (): true => {
      if (value !== undefined) throw new TypeError(`--fault ${name}: takes no value`);
      return true;
    };
    switch (name as SerialFaultName) {
      case 'corrupt-byte':
        set.corruptByte = none();
        break;
      case 'drop-ack':
        set.dropAck = none();
        break;
      case 'repeat-frame':
        set.repeatFrame = none();
        break;
      case 'pause':
        set.pauseMs = value === undefined ? DEFAULT_PAUSE_MS : millis(value, `--fault ${name}`);
        break;
      case 'break':
        set.breakMs = value === undefined ? DEFAULT_BREAK_MS : millis(value, `--fault ${name}`);
        break;
      default:
        throw new TypeError(`--fault ${name}: not a serial fault (known: ${SerialFaultNames.join(', ')})`);
    }
  }
  return set;
}

export function hasSerialFaults(f: SerialFaultSet): boolean {
  return Object.values(f).some((v) => v !== undefined && v !== false);
}

/** "800ms", "2s", "1.5s" -> milliseconds, from 1 ms to 60 s. */
function millis(text: string, name: string): number {
  const m = /^(\d+)(?:\.(\d{1,3}))?(ms|s)$/.exec(text);
  const ms = m === null ? NaN : m[3] === 'ms' ? (m[2] === undefined ? Number(m[1]) : NaN) : Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
  if (!(ms >= 1 && ms <= 60_000)) throw new TypeError(`${name}: must be a duration from 1ms to 60s, e.g. 800ms or 2s`);
  return ms;
}
