import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startGateway, REDACT, type RunningGateway } from '../../gateway/app.js';
import type { Clock } from '../../gateway/clock.js';
import type { GatewayConfig } from '../../gateway/config/types.js';
import type { Store } from '../../gateway/store/types.js';
import { startAcquirer, type AcquirerStub, type AcquirerOptions } from '../../terminal-sim/acquirer/index.js';
import { TestTerminal } from './terminal-client.js';

export const PAN_KEY = 'a1'.repeat(32);

export interface Stack {
  dir: string;
  stub: AcquirerStub;
  gw: RunningGateway;
  port: number;
  logFile: string;
  terminal(): Promise<TestTerminal>;
  close(): Promise<void>;
}

/** A gateway config for tests: ephemeral ports, the journal in `dir`, short timers. */
export function testConfig(dir: string, stubPort: number, over: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    listeners: [
      {
        name: 'terminals',
        host: '127.0.0.1',
        port: 0,
        header: 'binary2',
        tpdu: true,
        spec: 'iso87binary',
        maxFrameSize: 4096,
        idleTimeoutMs: 60_000,
        frameTimeoutMs: 2_000,
        maxInFlight: 64,
        maxConnections: 1000,
      },
    ],
    acquirers: [
      {
        id: 'stub',
        host: '127.0.0.1',
        port: stubPort,
        deadlineMs: 1_000,
        echoIntervalMs: 30_000,
        acquiringInstitution: '123456',
        reconnect: { initialMs: 50, maxMs: 500, jitter: 0.1 },
        maxFrameSize: 8192,
        breaker: { consecutiveFailures: 5, halfOpenAfterMs: 1_000 },
        drained: false,
      },
    ],
    routing: { rules: [], default: [] },
    http: { host: '127.0.0.1', port: 0 },
    store: { driver: 'sqlite', path: join(dir, 'gateway.db'), synchronous: 'full' },
    saf: { retryInitialMs: 100, retryMaxMs: 1_000, expireAfterMs: 60_000, pollMs: 50 },
    security: { panHashKey: PAN_KEY },
    merchants: [{ id: 'MERCHANT0000001', name: 'Test Shop', enabled: true }],
    terminals: [
      { id: 'TERM0001', merchantId: 'MERCHANT0000001', enabled: true },
      { id: 'TERM0002', merchantId: 'MERCHANT0000001', enabled: true },
      { id: 'TERM0009', merchantId: 'MERCHANT0000001', enabled: false },
    ],
    log: { level: 'info' },
    ...over,
  };
}

/** The acquirer stub and a gateway in this process, on loopback, with their files in a fresh temp dir. */
export async function startStack(
  opts: { stub?: AcquirerOptions; config?: Partial<GatewayConfig>; dir?: string; clock?: Clock; store?: (config: GatewayConfig) => Store } = {},
): Promise<Stack> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'posgw-'));
  const logFile = join(dir, 'gateway.log');
  const logger = pino({ level: 'debug', redact: REDACT }, pino.destination({ dest: logFile, sync: true }));
  const stub = await startAcquirer({
    port: 0,
    httpPort: 0,
    dbPath: join(dir, 'acquirer.db'),
    logger: pino({ level: 'debug' }, pino.destination({ dest: join(dir, 'acquirer.log'), sync: true })),
    ...opts.stub,
  });
  const config = testConfig(dir, stub.port, opts.config);
  const gw = await startGateway(config, { logger, clock: opts.clock, store: opts.store?.(config) });
  await waitFor(() => [...gw.links.values()].every((l) => l.state === 'up'), 5_000, 'acquirer link up');
  const port = gw.ports.listeners.terminals;
  const terminals: TestTerminal[] = [];
  return {
    dir,
    stub,
    gw,
    port,
    logFile,
    async terminal() {
      const t = await TestTerminal.connect(port);
      terminals.push(t);
      return t;
    },
    async close() {
      for (const t of terminals) t.close();
      await gw.close();
      await stub.close();
    },
  };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
