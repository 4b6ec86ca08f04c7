import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAN_KEY } from './stack.js';

// A gateway that cannot start (its terminal port is taken) says why and exits with code 1, after stopping what it had
// started: the acquirer link (reconnecting to nobody here), the store-and-forward queue, the journal.
const CLI = fileURLToPath(new URL('../../dist/gateway/cli.js', import.meta.url));

let taken: net.Server;
let port: number;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does) before this test`);
  taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

describe('a gateway that cannot start', () => {
  it('names the cause, stops what it started and exits with code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posgw-start-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        listeners: [{ name: 'terminals', host: '127.0.0.1', port }],
        // nobody listens on port 1: the link keeps reconnecting, which must not keep the process alive
        acquirers: [{ id: 'stub', host: '127.0.0.1', port: 1, reconnect: { initialMs: 50, maxMs: 200, jitter: 0.1 } }],
        http: { host: '127.0.0.1', port: 0 },
        store: { driver: 'sqlite', path: join(dir, 'gateway.db') },
        security: { panHashKey: PAN_KEY },
        merchants: [{ id: 'MERCHANT0000001', name: 'Shop' }],
        terminals: [{ id: 'TERM0001', merchantId: 'MERCHANT0000001' }],
        log: { level: 'silent' },
      }),
    );
    const child = spawn(process.execPath, [CLI, 'run', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    clearTimeout(killer);
    expect(signal).toBeNull();
    expect(code).toBe(1);
    expect(stderr).toContain('could not start');
    expect(stderr).toContain('EADDRINUSE');
  });
});
