import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookSender } from '../../../gateway/alerts/index.js';
import type { Alert } from '../../../gateway/feed/types.js';
import { createMetrics } from '../../../gateway/metrics.js';
import { alertsConfig, HOUR, M1, memoryLogger, rig, T0, tempStore, type Rig } from './fixtures.js';

interface Hit {
  at: number;
  method: string;
  type: string | undefined;
  body: string;
}

interface Receiver {
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

/** A local HTTP server that records every request and answers with `respond` (which may never answer). */
async function receiver(respond: (hit: Hit, n: number, res: ServerResponse) => void): Promise<Receiver> {
  const hits: Hit[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { at: performance.now(), method: req.method ?? '', type: req.headers['content-type'], body: Buffer.concat(chunks).toString() };
      hits.push(hit);
      respond(hit, hits.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/alerts?token=s3cret`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const status = (code: number) => (_hit: Hit, _n: number, res: ServerResponse) => res.writeHead(code).end();

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function sender(url: string, o: Partial<ConstructorParameters<typeof WebhookSender>[0]> = {}) {
  const { logger, lines } = memoryLogger();
  const metrics = createMetrics();
  const s = new WebhookSender({ url, timeoutMs: 2_000, retries: 3, backoffMs: 10, logger, metrics, ...o });
  cleanups.push(() => s.close());
  return { s, lines, metrics };
}

describe('alert webhook', () => {
  it("POSTs {alert, change} as JSON for every raise and clear of the engine, in order", async () => {
    const hook = await receiver(status(204));
    cleanups.push(hook.close);
    const store = await tempStore();
    await store.openBatch('TERM0001', '000001', M1, T0);
    const config = { ...alertsConfig({ clearAfterMs: 0, openBatch: { raiseAgeMs: HOUR } }), webhook: { url: hook.url, timeoutMs: 2_000, retries: 2, backoffMs: 10 } };
    const r: Rig = await rig(config, { store });
    cleanups.push(() => r.close());
    await r.engine.evaluate(T0 + HOUR);
    await store.closeBatch('TERM0001', '000001', 'balanced', T0 + 2 * HOUR, '000001');
    await r.engine.evaluate(T0 + 2 * HOUR);
    await until(() => hook.hits.length === 2, 'two deliveries');
    const bodies = hook.hits.map((h) => JSON.parse(h.body) as { alert: Alert; change: string });
    expect(hook.hits.map((h) => [h.method, h.type])).toEqual([
      ['POST', 'application/json'],
      ['POST', 'application/json'],
    ]);
    expect(bodies.map((b) => [b.change, b.alert.id, b.alert.clearedAt])).toEqual([
      ['raised', 'open_batch:terminal:TERM0001', null],
      ['cleared', 'open_batch:terminal:TERM0001', T0 + 2 * HOUR],
    ]);
    expect(bodies[0].alert).toEqual(r.changes[0][1]);
    // the receiver has both requests a moment before the webhook has read the second response
    for (let i = 0; i < 100 && !(await r.metrics.registry.metrics()).includes('posgw_alert_webhook_total{result="delivered"} 2'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await r.metrics.registry.metrics()).toContain('posgw_alert_webhook_total{result="delivered"} 2');
  });

  it('retries a 503 with a growing backoff until the receiver takes it', async () => {
    const hook = await receiver((_h, n, res) => res.writeHead(n <= 2 ? 503 : 200).end());
    cleanups.push(hook.close);
    const { s, metrics } = sender(hook.url);
    s.send({ n: 1 });
    s.send({ n: 2 });
    await s.drained();
    expect(hook.hits.map((h) => h.body)).toEqual(['{"n":1}', '{"n":1}', '{"n":1}', '{"n":2}']);
    expect(hook.hits[1].at - hook.hits[0].at).toBeGreaterThanOrEqual(9);
    expect(hook.hits[2].at - hook.hits[1].at).toBeGreaterThanOrEqual(19);
    const text = await metrics.registry.metrics();
    expect(text).toContain('posgw_alert_webhook_total{result="retry"} 2');
    expect(text).toContain('posgw_alert_webhook_total{result="delivered"} 2');
  });

  it('does not retry a refusal (400), and gives up after `retries` on an unreachable receiver, never logging the URL', async () => {
    const hook = await receiver(status(400));
    cleanups.push(hook.close);
    const refused = sender(hook.url);
    refused.s.send({ n: 1 });
    await refused.s.drained();
    expect(hook.hits).toHaveLength(1);
    expect(refused.lines.map((l) => [l.msg, l.reason])).toEqual([['alert webhook refused the delivery: not retried', 'HTTP 400']]);

    const gone = await receiver(status(200));
    await gone.close();
    const down = sender(gone.url, { retries: 2 });
    down.s.send({ n: 1 });
    await down.s.drained();
    expect(down.lines.map((l) => [l.msg, l.reason])).toEqual([
      ['alert webhook attempt failed: retrying', 'ECONNREFUSED'],
      ['alert webhook attempt failed: retrying', 'ECONNREFUSED'],
      ['alert webhook delivery failed: giving up', 'ECONNREFUSED'],
    ]);
    expect(JSON.stringify([...refused.lines, ...down.lines])).not.toContain('s3cret');
  });

  it('never blocks the engine: a receiver that never answers is cut off at timeoutMs, then retried', async () => {
    const hook = await receiver((_h, n, res) => {
      if (n > 1) res.writeHead(200).end();
    });
    cleanups.push(hook.close);
    const store = await tempStore();
    await store.openBatch('TERM0001', '000001', M1, T0);
    const config = { ...alertsConfig({ openBatch: { raiseAgeMs: HOUR } }), webhook: { url: hook.url, timeoutMs: 100, retries: 1, backoffMs: 10 } };
    const r = await rig(config, { store });
    cleanups.push(() => r.close());
    // the evaluation and the listeners are done while the receiver still holds the first attempt
    await r.engine.evaluate(T0 + HOUR);
    expect(r.changes.map(([c]) => c)).toEqual(['raised']);
    await until(() => hook.hits.length === 2, 'the retry');
    expect(r.lines.filter((l) => l.msg === 'alert webhook attempt failed: retrying').map((l) => l.reason)).toEqual(['no reply within 100 ms']);
    expect(hook.hits[1].body).toBe(hook.hits[0].body);
  });

  it('close() aborts the attempt in progress and drops what is queued', async () => {
    const hook = await receiver(() => undefined);
    cleanups.push(hook.close);
    const { s, lines, metrics } = sender(hook.url, { timeoutMs: 60_000 });
    s.send({ n: 1 });
    s.send({ n: 2 });
    await until(() => hook.hits.length === 1, 'the first attempt');
    await s.close();
    expect(hook.hits).toHaveLength(1);
    expect(lines.map((l) => [l.msg, l.undelivered])).toEqual([['alert webhook closed with deliveries undelivered', 2]]);
    expect(await metrics.registry.metrics()).toContain('posgw_alert_webhook_total{result="dropped"} 2');
    s.send({ n: 3 });
    expect(hook.hits).toHaveLength(1);
  });

  it('checks its options up front, naming the option', () => {
    const { logger } = memoryLogger();
    expect(() => new WebhookSender({ url: 'ftp://x', timeoutMs: 1, retries: 0, backoffMs: 1, logger })).toThrow('"url" must be an http:// or https:// URL');
    expect(() => new WebhookSender({ url: 'http://x', timeoutMs: 0, retries: 0, backoffMs: 1, logger })).toThrow('"timeoutMs" must be greater than 0');
    expect(() => new WebhookSender({ url: 'http://x', timeoutMs: 1, retries: -1, backoffMs: 1, logger })).toThrow('"retries" must be an integer >= 0');
  });
});
