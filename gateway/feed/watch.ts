import { WebSocket } from 'ws';
import { formatMessage } from './format.js';
import { CloseCodes } from './protocol.js';

export interface WatchOptions {
  url: string;
  token: string;
  /** The last cursor already seen: the feed replays what follows. */
  since?: number;
  /** Operator token: one merchant's feed only. */
  merchantId?: string;
  /** Print the raw messages (one JSON per line) instead of readable lines. */
  json: boolean;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Aborting ends the watch (Ctrl-C): exit code 0. */
  signal: AbortSignal;
  /** Reconnect delays: from `initialMs`, doubling up to `maxMs`. */
  reconnect?: { initialMs: number; maxMs: number };
}

/** Closes after which reconnecting cannot help. */
const FINAL = new Set<number>([CloseCodes.BAD_TOKEN, CloseCodes.FORBIDDEN, CloseCodes.BAD_MESSAGE]);

/**
 * Follows the feed and prints it; reconnects with the last cursor seen when the connection drops or the gateway goes
 * away. Resolves with the exit code: 0 when aborted, 1 when the gateway refuses the token or the hello.
 */
export async function watch(o: WatchOptions): Promise<number> {
  let cursor = o.since;
  let delay = o.reconnect?.initialMs ?? 500;
  const maxDelay = o.reconnect?.maxMs ?? 10_000;
  while (!o.signal.aborted) {
    const result = await session(o, cursor, (c) => {
      cursor = c;
      delay = o.reconnect?.initialMs ?? 500;
    });
    if (o.signal.aborted) return 0;
    if (result.final) {
      o.err(`pos-gateway: the feed refused the connection: ${result.code} ${result.reason}`);
      return 1;
    }
    o.err(`pos-gateway: feed connection ${result.code === 0 ? 'failed' : `closed (${result.code}${result.reason ? ` ${result.reason}` : ''})`}; reconnecting in ${delay} ms${cursor === undefined ? '' : ` from #${cursor}`}`);
    await sleep(delay, o.signal);
    delay = Math.min(maxDelay, delay * 2);
  }
  return 0;
}

function session(o: WatchOptions, since: number | undefined, seen: (cursor: number) => void): Promise<{ code: number; reason: string; final: boolean }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(o.url, { handshakeTimeout: 10_000 });
    let operatorAll = false;
    const abort = (): void => ws.close(1000, 'bye');
    o.signal.addEventListener('abort', abort, { once: true });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token: o.token, since, merchantId: o.merchantId })));
    ws.on('message', (data) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        o.err('pos-gateway: a feed message that is not JSON was ignored');
        return;
      }
      if (msg.type === 'snapshot') operatorAll = (msg.scope as { merchantId?: unknown } | undefined)?.merchantId === null;
      if (msg.type === 'event') seen(Number(operatorAll ? msg.id : msg.seq));
      if (o.json) o.out(data.toString());
      else for (const line of formatMessage(msg, operatorAll)) o.out(line);
    });
    ws.on('error', () => undefined);
    ws.on('close', (code, reason) => {
      o.signal.removeEventListener('abort', abort);
      // 1006: no close frame (refused connection, dropped network)
      resolve({ code: code === 1006 ? 0 : code, reason: reason.toString(), final: FINAL.has(code) });
    });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
