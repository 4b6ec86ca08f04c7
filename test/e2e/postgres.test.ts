import { join } from 'node:path';
import type pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, REDACT, type RunningGateway } from '../../gateway/app.js';
import type { StoreConfig } from '../../gateway/config/types.js';
import type { IsoMessage } from '../../protocol/index.js';
import { adminClient, dropSchemas, PG_URL, schemaName } from '../gateway/store/postgres-fixture.js';
import { startStack, testConfig, waitFor, type Stack } from './stack.js';
import { sale, TEST_PAN, TestTerminal } from './terminal-client.js';

// the gateway with its journal in PostgreSQL, in a schema of this run's own; restarted on the same schema
const schema = schemaName('posgw_e2e');
const store: StoreConfig = { driver: 'postgres', url: PG_URL, schema, path: 'unused', synchronous: 'full' };

let stack: Stack;
let t: TestTerminal;
let admin: pg.Client;
let restarted: RunningGateway | undefined;

beforeAll(async () => {
  admin = await adminClient();
  stack = await startStack({ config: { store } });
  t = await stack.terminal();
});
afterAll(async () => {
  await restarted?.close();
  await stack?.close();
  await admin?.end();
  await dropSchemas([schema]);
});

function settlement(batch: string, saleCount: number, saleAmount: number): IsoMessage {
  const totals = `${String(saleCount).padStart(3, '0')}${String(saleAmount).padStart(12, '0')}${'0'.repeat(15)}`;
  return { mti: '0500', fields: { 3: '920000', 11: t.nextStan(), 12: '230000', 13: '1121', 41: 'TERM0001', 42: 'MERCHANT0000001', 60: batch, 63: totals } };
}

describe('gateway end to end with the PostgreSQL journal', () => {
  let approvedRrn: string;

  it('approves a purchase and journals it captured in its schema', async () => {
    const res = await t.request(sale(t, { amount: 1000, batch: '000001' }));
    expect(res.fields[39]).toBe('00');
    approvedRrn = res.fields[37] as string;
    const { rows } = await admin.query(`SELECT state, captured, amount, pan_masked FROM ${schema}.transactions WHERE rrn = $1`, [approvedRrn]);
    expect(rows).toEqual([{ state: 'approved', captured: true, amount: '1000', pan_masked: '476173******0119' }]);
  });

  it('answers 91 to a request the acquirer never answers, and the reversal reaches the acquirer', async () => {
    const res = await t.request(sale(t, { amount: 1073, batch: '000001' }));
    expect(res.fields[39]).toBe('91');
    const rrn = res.fields[37] as string;
    await waitFor(() => stack.stub.ledger({ rrn }).some((r) => r.status === 'reversed'), 5_000, `reversal of ${rrn} at the acquirer`);
    expect(await stack.gw.store.findByRrn(rrn)).toMatchObject({ state: 'timed_out', captured: false, reversal: 'timeout' });
    await waitFor(async () => (await stack.gw.store.safStats()).depth === 0, 5_000, 'store-and-forward queue empty');
  });

  it('settles the batch in balance from the journal: the reversed request is not in it', async () => {
    const res = await t.request(settlement('000001', 1, 1000));
    expect(res.fields[39]).toBe('00');
    expect(await stack.gw.store.getBatch('TERM0001', '000001')).toMatchObject({ status: 'balanced', terminalTotals: { saleCount: 1, saleAmount: 1000 } });
  });

  it('refuses a second gateway on the schema, naming the first', async () => {
    const second = startGateway(testConfig(stack.dir, stack.stub.port, { store }), { logger: pino({ level: 'silent' }) });
    await expect(second).rejects.toMatchObject({ code: 'JOURNAL_IN_USE', message: expect.stringContaining(`is in use by "pos-gateway owner pid ${process.pid} on `) });
    expect((await t.request(sale(t, { amount: 1300, batch: '000003' }))).fields[39]).toBe('00');
  });

  it('after a crash with a request in flight, the restarted gateway reverses it and carries on', async () => {
    const inFlight = t.request(sale(t, { amount: 2073, batch: '000002' }), 10_000).catch(() => undefined);
    await waitFor(async () => (await stack.gw.store.inFlight()).length === 1, 5_000, 'request journaled as forwarded');
    const [stuck] = await stack.gw.store.inFlight();
    await waitFor(() => stack.stub.ledger({ rrn: stuck.rrn }).length === 1, 5_000, 'request at the acquirer');
    // the crash: the gateway loses its journal while the request waits upstream, so its outcome is never written
    await stack.gw.store.close();
    await stack.gw.close();
    await inFlight;
    expect((await admin.query(`SELECT state, reversal FROM ${schema}.transactions WHERE id = $1`, [stuck.id])).rows).toEqual([{ state: 'forwarding', reversal: null }]);

    const logger = pino({ level: 'debug', redact: REDACT }, pino.destination({ dest: join(stack.dir, 'gateway-restarted.log'), sync: true }));
    restarted = await startGateway(testConfig(stack.dir, stack.stub.port, { store }), { logger });
    expect(await restarted.store.findByRrn(stuck.rrn)).toMatchObject({ state: 'timed_out', responseCode: '91', reversal: 'recovery' });
    expect((await restarted.store.safSince(0)).filter((i) => i.txId === stuck.id).map((i) => i.reason)).toEqual(['recovery']);
    await waitFor(() => stack.stub.ledger({ rrn: stuck.rrn }).some((r) => r.status === 'reversed'), 8_000, 'recovery reversal at the acquirer');

    // what was journaled before the crash is all there, and RRNs go on past the old ones
    expect(await restarted.store.findByRrn(approvedRrn)).toMatchObject({ state: 'approved', captured: true });
    expect(await restarted.store.getBatch('TERM0001', '000001')).toMatchObject({ status: 'balanced' });
    await waitFor(() => [...restarted!.links.values()].every((l) => l.state === 'up'), 5_000, 'acquirer link up');
    const again = await TestTerminal.connect(restarted.ports.listeners.terminals);
    try {
      const res = await again.request(sale(again, { amount: 1500, batch: '000002' }));
      expect(res.fields[39]).toBe('00');
      expect(Number(String(res.fields[37]).slice(-8))).toBeGreaterThan(Number(stuck.rrn.slice(-8)));
    } finally {
      again.close();
    }
  });

  it('keeps no full PAN in any table of the schema', async () => {
    const tables = await admin.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema]);
    expect(tables.rows.length).toBeGreaterThan(5);
    for (const { table_name: table } of tables.rows as { table_name: string }[]) {
      const { rows } = await admin.query(`SELECT * FROM ${schema}.${table}`);
      expect(JSON.stringify(rows), table).not.toContain(TEST_PAN);
    }
  });
});
