import { TransportError } from './errors.js';

export const TargetSchemes = ['tcp', 'tls'] as const;
export type TargetScheme = (typeof TargetSchemes)[number];

export interface Target {
  scheme: TargetScheme;
  host: string;
  port: number;
}

/** "tcp://127.0.0.1:9000" or "tls://gw.example:9443"; a port is required (there is no well-known one). */
export function parseTarget(url: string): Target {
  const m = /^([a-z]+):\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]\s]+):(\d{1,5})\/?$/.exec(url);
  if (m === null) {
    throw new TransportError('BAD_TARGET', `target "${url}" is not tcp://host:port, tls://host:port or serial:PATH`);
  }
  const [, scheme, host, port] = m;
  if (!(TargetSchemes as readonly string[]).includes(scheme)) {
    throw new TransportError('BAD_TARGET', `target scheme "${scheme}:" is not one of ${TargetSchemes.join(', ')}`);
  }
  const n = Number(port);
  if (n < 1 || n > 65535) throw new TransportError('BAD_TARGET', `target port ${port} is not from 1 to 65535`);
  return { scheme: scheme as TargetScheme, host: host.replace(/^\[|\]$/g, ''), port: n };
}

export function formatTarget(t: Target): string {
  return `${t.scheme}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

export const SerialFramings = ['stx-etx', 'length'] as const;
export type SerialFraming = (typeof SerialFramings)[number];
export const SerialParities = ['none', 'even', 'odd', 'mark', 'space'] as const;
export type SerialParity = (typeof SerialParities)[number];

/** A serial port and its line settings; the link timers are optional and default to the protocol's. */
export interface SerialTarget {
  scheme: 'serial';
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: SerialParity;
  stopBits: 1 | 1.5 | 2;
  /** stx-etx: STX | length | message | ETX | LRC with ACK/NAK; length: the TCP length header, no link layer. */
  framing: SerialFraming;
  ackTimeoutMs?: number;
  interCharTimeoutMs?: number;
  retries?: number;
}

/** The common line settings of counter-top terminals: 9600 8N1. */
export const serialDefaults = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, framing: 'stx-etx' } as const;

const SERIAL_KEYS = ['baud', 'dataBits', 'parity', 'stopBits', 'framing', 'ackTimeoutMs', 'interCharTimeoutMs', 'retries'] as const;

export function isSerialTarget(url: string): boolean {
  return url.startsWith('serial:');
}

/** "serial:/dev/ttyUSB0?baud=9600&parity=even&framing=length" (also serial:///dev/ttyUSB0, serial:COM3). */
export function parseSerialTarget(url: string): SerialTarget {
  const bad = (detail: string): TransportError => new TransportError('BAD_TARGET', `target "${url}": ${detail}`);
  const m = /^serial:(?:\/\/)?([^?\s]+)(?:\?(.*))?$/.exec(url);
  if (m === null) throw bad('is not serial:PATH[?baud=9600&dataBits=8&parity=none&stopBits=1&framing=stx-etx]');
  const t: SerialTarget = { scheme: 'serial', path: m[1], ...serialDefaults };
  for (const [key, value] of new URLSearchParams(m[2] ?? '')) {
    if (!(SERIAL_KEYS as readonly string[]).includes(key)) throw bad(`unknown option "${key}" (known: ${SERIAL_KEYS.join(', ')})`);
    const int = (min: number, max: number): number => {
      const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
      if (!(n >= min && n <= max)) throw bad(`"${key}" must be an integer from ${min} to ${max}`);
      return n;
    };
    switch (key as (typeof SERIAL_KEYS)[number]) {
      case 'baud':
        t.baudRate = int(50, 4_000_000);
        break;
      case 'dataBits':
        t.dataBits = int(5, 8) as SerialTarget['dataBits'];
        break;
      case 'parity':
        if (!(SerialParities as readonly string[]).includes(value)) throw bad(`"parity" must be one of ${SerialParities.join(', ')}`);
        t.parity = value as SerialParity;
        break;
      case 'stopBits':
        if (value !== '1' && value !== '1.5' && value !== '2') throw bad('"stopBits" must be 1, 1.5 or 2');
        t.stopBits = Number(value) as SerialTarget['stopBits'];
        break;
      case 'framing':
        if (!(SerialFramings as readonly string[]).includes(value)) throw bad(`"framing" must be one of ${SerialFramings.join(', ')}`);
        t.framing = value as SerialFraming;
        break;
      case 'ackTimeoutMs':
        t.ackTimeoutMs = int(1, 3_600_000);
        break;
      case 'interCharTimeoutMs':
        t.interCharTimeoutMs = int(1, 3_600_000);
        break;
      case 'retries':
        t.retries = int(0, 100);
        break;
    }
  }
  return t;
}

export function formatSerialTarget(t: SerialTarget): string {
  const q = `baud=${t.baudRate}&dataBits=${t.dataBits}&parity=${t.parity}&stopBits=${t.stopBits}&framing=${t.framing}`;
  return `serial:${t.path}?${q}`;
}
