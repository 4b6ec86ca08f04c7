import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinSpecs, codecFor, type IsoMessage } from '../../../protocol/index.js';
import { Terminal, type JournalState, type TerminalOptions } from '../../../terminal-sim/device/index.js';
import {
  openTransport,
  parseTarget,
  resolveLinkOptions,
  withHooks,
  type HookResult,
  type TransportHooks,
} from '../../../terminal-sim/transport/index.js';
import { startStack, type Stack } from '../../e2e/stack.js';

export const MERCHANT = 'MERCHANT0000001';
export const codec = codecFor(builtinSpecs.iso87binary);

/** The acquirer stub and a gateway on loopback, with terminals TERM0001 to TERM0040 enabled. */
export function simStack(): Promise<Stack> {
  const terminals = Array.from({ length: 40 }, (_, i) => ({ id: `TERM${String(i + 1).padStart(4, '0')}`, merchantId: MERCHANT, enabled: true }));
  return startStack({ config: { terminals } });
}

/** What a terminal sent and received, decoded; and optional hooks to drop or change traffic. */
export interface Wire {
  sent: IsoMessage[];
  received: IsoMessage[];
  /** Called with each outgoing message before it goes; return null to drop it. */
  onSend?: (msg: IsoMessage, payload: Buffer) => HookResult;
  /** Called with each incoming message; return null to drop it, or other bytes. */
  onReceive?: (msg: IsoMessage, payload: Buffer) => HookResult;
}

export function wire(): Wire & { hooks: TransportHooks } {
  const w: Wire & { hooks: TransportHooks } = {
    sent: [],
    received: [],
    hooks: {
      beforeSend(payload) {
        const msg = codec.decode(payload);
        w.sent.push(msg);
        return w.onSend?.(msg, payload);
      },
      afterReceive(payload) {
        let msg: IsoMessage;
        try {
          msg = codec.decode(payload);
        } catch {
          return undefined;
        }
        w.received.push(msg);
        return w.onReceive?.(msg, payload);
      },
    },
  };
  return w;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tsim-'));
}

export interface OpenOptions extends Partial<TerminalOptions> {
  port: number;
  hooks?: TransportHooks;
}

export function openTerminal(terminalId: string, dataDir: string, o: OpenOptions): Promise<Terminal> {
  const raw = openTransport(parseTarget(`tcp://127.0.0.1:${o.port}`), resolveLinkOptions());
  const { port: _p, hooks, ...rest } = o;
  return Terminal.open({
    terminalId,
    merchantId: MERCHANT,
    dataDir,
    transport: hooks === undefined ? raw : withHooks(raw, hooks),
    timeoutMs: 3000,
    durable: true,
    ...rest,
  });
}

export function readJournal(path: string): JournalState {
  return JSON.parse(readFileSync(path, 'utf8')) as JournalState;
}

/** A reply with field 39 changed, re-encoded: what a terminal would have read. */
export function withResponseCode(msg: IsoMessage, rc: string): Buffer {
  return codec.encode({ mti: msg.mti, fields: { ...Object.fromEntries(Object.entries(msg.fields).filter(([, v]) => v !== undefined)), 39: rc } }, { pad: true });
}
