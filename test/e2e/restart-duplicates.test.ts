import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, REDACT, type RunningGateway } from '../../gateway/app.js';
import type { IsoMessage } from '../../protocol/index.js';
import { startStack, testConfig, waitFor, type Stack } from './stack.js';
import { sale, TestTerminal } from './terminal-client.js';

// After a restart the gateway's memory of requests and batches is empty: the journal alone must catch a repeat (its
// unique key, at the insert) and a closed batch (read before anything is relayed into it).

let stack: Stack;
let gw: RunningGateway | undefined;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await gw?.close();
  await stack?.close();
});

const TERMINAL = 'TERM0002';
const charges = (amount: number): number => stack.stub.ledger().filter((r) => r.amount === amount && r.terminalId === TERMINAL).length;

async function restart(): Promise<TestTerminal> {
  await (gw ?? stack.gw).close();
  const logger = pino({ level: 'debug', redact: REDACT }, pino.destination({ dest: join(stack.dir, 'gateway-2.log'), sync: true }));
  gw = await startGateway(testConfig(stack.dir, stack.stub.port), { logger });
  const started = gw;
  await waitFor(() => [...started.links.values()].every((l) => l.state === 'up'), 5_000, 'acquirer link up');
  return TestTerminal.connect(gw.ports.listeners.terminals);
}

describe('repeats after a restart', () => {
  let openSale: IsoMessage;
  let closedSale: IsoMessage;
  let first: { open: IsoMessage; closed: IsoMessage };
  let t2: TestTerminal;

  beforeAll(async () => {
    const t = await stack.terminal();
    closedSale = sale(t, { terminalId: TERMINAL, batch: '000021', amount: 2101 });
    openSale = sale(t, { terminalId: TERMINAL, batch: '000022', amount: 2201 });
    first = { closed: await t.request(closedSale), open: await t.request(openSale) };
    expect([first.closed.fields[39], first.open.fields[39]]).toEqual(['00', '00']);
    const f63 = `001${'2101'.padStart(12, '0')}000${'0'.padStart(12, '0')}`;
    const settled = await t.request({ mti: '0500', fields: { 3: '920000', 11: t.nextStan(), 12: '230000', 13: '1121', 41: TERMINAL, 42: 'MERCHANT0000001', 60: '000021', 63: f63 } });
    expect(settled.fields[39]).toBe('00');
    t2 = await restart();
  });
  afterAll(() => t2?.close());

  it('answers a repeat in an open batch from the journal, and relays it no second time', async () => {
    const again = await t2.request(openSale);
    expect([again.fields[39], again.fields[37], again.fields[38]]).toEqual([first.open.fields[39], first.open.fields[37], first.open.fields[38]]);
    expect(charges(2201)).toBe(1);
    expect(await gw!.store.findByRrn(first.open.fields[37] as string)).toMatchObject({ state: 'approved', captured: true });
  });

  it('answers 94 to the same key with other content, and relays nothing', async () => {
    const changed = { ...openSale, fields: { ...openSale.fields, 4: '000000002202' } };
    expect((await t2.request(changed)).fields[39]).toBe('94');
    expect(charges(2202)).toBe(0);
  });

  it('answers a repeat in a closed batch with its first answer, and a new sale there with 80, relaying neither', async () => {
    const again = await t2.request(closedSale);
    expect([again.fields[39], again.fields[37]]).toEqual(['00', first.closed.fields[37]]);
    const late = await t2.request(sale(t2, { terminalId: TERMINAL, batch: '000021', amount: 2102 }));
    expect(late.fields[39]).toBe('80');
    expect([charges(2101), charges(2102)]).toEqual([1, 0]);
    expect(await gw!.store.getBatch(TERMINAL, '000021')).toMatchObject({ status: 'balanced' });
  });
});
