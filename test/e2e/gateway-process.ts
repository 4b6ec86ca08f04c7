import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PAN_KEY } from './stack.js';

/** The built CLI: `npm test` compiles before it tests. */
const CLI = fileURLToPath(new URL('../../dist/gateway/cli.js', import.meta.url));

/**
 * Writes `dir/gateway.json` for a gateway run as its own process: `terminals` terminals TERM0001..., the stub at
 * `stubPort`, the journal `dir/gateway.db`, short retry timers, info logs on stdout. Returns its path.
 */
export function writeProcessConfig(dir: string, stubPort: number, saf: Record<string, number> = {}, terminals = 4): string {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does) before this test`);
  const path = join(dir, 'gateway.json');
  writeFileSync(
    path,
    JSON.stringify({
      listeners: [{ name: 'terminals', host: '127.0.0.1', port: 0 }],
      acquirers: [{ id: 'stub', host: '127.0.0.1', port: stubPort, deadlineMs: 2000, reconnect: { initialMs: 50, maxMs: 500, jitter: 0.1 } }],
      http: { host: '127.0.0.1', port: 0 },
      store: { driver: 'sqlite', path: join(dir, 'gateway.db'), synchronous: 'full' },
      saf: { retryInitialMs: 100, retryMaxMs: 500, pollMs: 50, ...saf },
      security: { panHashKey: PAN_KEY },
      merchants: [{ id: 'MERCHANT0000001', name: 'Test Shop' }],
      terminals: Array.from({ length: terminals }, (_, i) => ({ id: `TERM${String(i + 1).padStart(4, '0')}`, merchantId: 'MERCHANT0000001' })),
      log: { level: 'info' },
    }),
  );
  return path;
}

export interface GatewayProcess {
  child: ChildProcess;
  /** The terminal listener's port and the HTTP port. */
  port: number;
  http: number;
  exited: Promise<unknown>;
  /** Its log lines so far. */
  lines: Record<string, unknown>[];
}

/** Starts `pos-gateway run` on `configPath` (under `wrap`, a command and its arguments, when given); resolves once it logged "gateway started". */
export function startGatewayProcess(configPath: string, wrap: string[] = []): Promise<GatewayProcess> {
  const [cmd, ...args] = [...wrap, process.execPath, CLI, 'run', '--config', configPath];
  // libuv's io_uring submissions are system calls strace does not see
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, UV_USE_IO_URING: '0' } });
  const exited = new Promise((r) => child.once('exit', r));
  const lines: Record<string, unknown>[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gateway did not start in 15 s')), 15_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const l = JSON.parse(line) as Record<string, unknown> & { listeners?: { terminals: number }; http?: number };
      lines.push(l);
      if (l.msg !== 'gateway started') return;
      clearTimeout(timer);
      resolve({ child, port: l.listeners!.terminals, http: l.http!, exited, lines });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited early with code ${code}`)));
  });
}
