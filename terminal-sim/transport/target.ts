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
    throw new TransportError('BAD_TARGET', `target "${url}" is not tcp://host:port or tls://host:port`);
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
