import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeCommand,
  echoCommand,
  ExitCodes,
  parseTimeout,
  preauthCommand,
  purchaseCommand,
  receiptsCommand,
  refundCommand,
  reverseCommand,
  settleCommand,
  signOnCommand,
  voidCommand,
  type Command,
  type CommandIo,
} from '../../../terminal-sim/commands/index.js';
import { TestCards } from '../../../terminal-sim/device/index.js';
import type { Stack } from '../../e2e/stack.js';
import { readJournal, simStack, tempDir } from '../device/sim-stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await simStack();
});
afterAll(async () => {
  await stack?.close();
});

interface Run {
  code: number;
  out: string;
  err: string;
  json: <T = Record<string, unknown>>() => T;
}

async function run(command: Command, args: string[], cwd: string): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const io: CommandIo = { stdout, stderr, env: {}, cwd };
  const code = await command.run(args, io);
  const text = out.join('');
  return { code, out: text, err: err.join(''), json: <T,>() => JSON.parse(text) as T };
}

const target = (): string[] => ['--target', `tcp://127.0.0.1:${stack.port}`];
const as = (terminal: string): string[] => [...target(), '--terminal', terminal, '--merchant', 'MERCHANT0000001'];

describe('the demo command', () => {
  it('purchase --target --terminal --merchant --amount 12.34 prints both receipts and exits 0', async () => {
    const cwd = tempDir();
    const r = await run(purchaseCommand, [...as('TERM0021'), '--amount', '12.34'], cwd);
    expect(r.err).toBe('');
    expect(r.code).toBe(ExitCodes.approved);
    expect(r.out).toContain('-- MERCHANT COPY --');
    expect(r.out).toContain('-- CUSTOMER COPY --');
    expect(r.out).toContain('USD 12.34');
    expect(r.out).toMatch(/APPROVED \(00\) {2}auth \w{6} {2}RRN \d{12} {2}invoice 000001 {2}batch 000001/);
    expect(r.out).not.toContain(TestCards.visa.pan);
    // the journal goes to ./terminal-data by default
    const journal = readJournal(join(cwd, 'terminal-data', 'TERM0021.json'));
    expect(journal.entries[0]).toMatchObject({ amount: 1234, status: 'approved' });
    expect(stack.stub.ledger({ rrn: journal.entries[0].rrn! })[0]).toMatchObject({ amount: 1234, kind: 'purchase' });
  });
});

describe('exit codes', () => {
  it('1 declined, 2 no answer (and the reversal goes out with "reverse"), 3 refused or bad input, 64 usage', async () => {
    const cwd = tempDir();
    const declined = await run(purchaseCommand, [...as('TERM0022'), '--amount', '10.05'], cwd);
    expect(declined.code).toBe(ExitCodes.declined);
    expect(declined.out).toContain('DECLINED: DO NOT HONOUR (05)');

    // amount ending 73: the stub never answers; the terminal gives up before the gateway does
    const lost = await run(purchaseCommand, [...as('TERM0022'), '--amount', '1.73', '--timeout', '300ms'], cwd);
    expect(lost.code).toBe(ExitCodes.noAnswer);
    expect(lost.out).toContain('NO ANSWER: reversal saved for invoice 000002 (STAN 000002)');
    const rev = await run(reverseCommand, [...as('TERM0022'), '--json'], cwd);
    expect(rev.code).toBe(ExitCodes.approved);
    expect(rev.json()).toMatchObject({ outcome: 'approved', mti: '0400', responseCode: '00', cleared: true, entry: { invoice: '000002', status: 'reversed' } });
    expect((await run(reverseCommand, as('TERM0022'), cwd)).out).toContain('no pending reversal');

    const refused = await run(echoCommand, ['--target', 'tcp://127.0.0.1:1', '--terminal', 'TERM0022'], cwd);
    expect(refused.code).toBe(ExitCodes.error);
    expect(refused.err).toContain('ECONNREFUSED');

    const luhn = await run(purchaseCommand, [...as('TERM0022'), '--amount', '1', '--pan', '4111111111111112'], cwd);
    expect(luhn.code).toBe(ExitCodes.error);
    expect(luhn.err).toBe('terminal-sim purchase: --pan: the card number fails the Luhn check (mistyped digit?)\n');

    const cents = await run(purchaseCommand, [...as('TERM0022'), '--amount', '1.005'], cwd);
    expect(cents.code).toBe(ExitCodes.error);
    expect(cents.err).toContain('--amount has more than 2 decimals');

    const unknown = await run(purchaseCommand, [...as('TERM0022'), '--amount', '1', '--colour', 'red'], cwd);
    expect(unknown.code).toBe(ExitCodes.usage);
    expect(unknown.err).toContain("Unknown option '--colour'");
    expect(unknown.err).toContain('terminal-sim purchase --help');

    for (const args of [target(), [...as('TERM0022')], [...as('TERM0022'), '--amount', '1', 'extra'], [...as('TERM0022'), '--amount', '1', '--tpdu', 'maybe']]) {
      expect((await run(purchaseCommand, args, cwd)).code).toBe(ExitCodes.usage);
    }
    expect((await run(purchaseCommand, ['--target', 'http://x:1', '--terminal', 'T', '--amount', '1'], cwd)).code).toBe(ExitCodes.usage);
  });

  it('every command has --help', async () => {
    const cwd = tempDir();
    const all = { purchaseCommand, refundCommand, voidCommand, preauthCommand, completeCommand, reverseCommand, echoCommand, signOnCommand, settleCommand, receiptsCommand };
    for (const [name, command] of Object.entries(all)) {
      const r = await run(command, ['--help'], cwd);
      expect(r.code, name).toBe(0);
      expect(r.out, name).toMatch(/^terminal-sim \w+ /);
      expect(r.out, name).toContain('--terminal ID');
      expect(r.out, name).toContain('Exit codes: 0 approved, 1 declined, 2 timed out');
    }
  });
});

describe('a day on one terminal through the CLI', () => {
  it('signon, purchase, refund, void, preauth, complete, settle, receipts', async () => {
    const cwd = tempDir();
    const t = as('TERM0023');
    expect((await run(signOnCommand, t, cwd)).out).toBe('sign-on (0800/001): 00 APPROVED\n');
    const sale = await run(purchaseCommand, [...t, '--amount', '20.00', '--card', 'mastercard', '--pin', '1234', '--json'], cwd);
    expect(sale.code).toBe(0);
    expect(sale.out).not.toContain(TestCards.mastercard.pan);
    const saleJson = sale.json<{ receipt: { invoice: string; panMasked: string; cvm: string }; entry: Record<string, unknown> }>();
    expect(saleJson.receipt).toMatchObject({ panMasked: '555555******4444', cvm: 'PIN VERIFIED' });
    expect(saleJson.entry.pan).toBeUndefined();
    expect((await run(purchaseCommand, [...t, '--amount', '5', '--track2', `${TestCards.amex.pan}=30122011234`], cwd)).code).toBe(0);
    expect((await run(refundCommand, [...t, '--amount', '3.50', '--pan', TestCards.visa2.pan], cwd)).code).toBe(0);
    const voided = await run(voidCommand, [...t, '--invoice', '1'], cwd);
    expect(voided.code).toBe(0);
    expect(voided.out).toMatch(/APPROVED \(00\).*invoice 000001/);
    const pre = (await run(preauthCommand, [...t, '--amount', '100', '--json'], cwd)).json<{ entry: { rrn: string } }>();
    const done = await run(completeCommand, [...t, '--rrn', pre.entry.rrn, '--amount', '80.25', '--receipts-dir', 'slips'], cwd);
    expect(done.code).toBe(0);
    expect(done.out).toMatch(/receipt: .*slips\/TERM0023-000001-000005-completion-\d{6}-merchant.txt/);
    expect(readdirSync(join(cwd, 'slips'))).toHaveLength(2);

    const settled = await run(settleCommand, t, cwd);
    expect(settled.code).toBe(0);
    expect(settled.out).toContain('SETTLEMENT terminal TERM0023 batch 000001');
    expect(settled.out).toContain('terminal  sales   2        85.25   refunds   1         3.50');
    expect(settled.out).toContain('00 GB ACCEPTED: BATCH CLOSED, next batch 000002');
    expect(await stack.gw.store.getBatch('TERM0023', '000001')).toMatchObject({ status: 'balanced' });

    const exported = await run(receiptsCommand, ['--terminal', 'TERM0023', '--json'], cwd);
    const receipts = exported.json<{ type: string; panMasked: string; amount: number }[]>();
    expect(receipts.map((r) => [r.type, r.amount])).toEqual([
      ['SALE', 2000],
      ['SALE', 500],
      ['REFUND', 350],
      ['VOID', 2000],
      ['PRE-AUTH', 10000],
      ['COMPLETION', 8025],
    ]);
    for (const pan of [TestCards.mastercard.pan, TestCards.amex.pan, TestCards.visa2.pan, TestCards.visa.pan]) expect(exported.out).not.toContain(pan);
    const printed = await run(receiptsCommand, ['--terminal', 'TERM0023', '--invoice', '2', '--copy', 'both'], cwd);
    expect(printed.out).toContain('-- MERCHANT COPY --');
    expect(printed.out).toContain('378282*****0005');
    expect((await run(receiptsCommand, ['--terminal', 'TERM0023', '--batch', 'current'], cwd)).out).toBe('no receipts\n');
  });
});

describe('profiles', () => {
  it('fill in options from ./terminal-sim.json; the command line wins; bad profiles are usage errors', async () => {
    const cwd = tempDir();
    const profiles = {
      defaultProfile: 'shop',
      profiles: {
        shop: { target: `tcp://127.0.0.1:${stack.port}`, terminal: 'TERM0024', merchant: 'MERCHANT0000001', 'data-dir': 'journals', timeout: 5, json: true },
        other: { target: 'tcp://127.0.0.1:1', terminal: 'TERM0025', merchant: 'MERCHANT0000001' },
      },
    };
    writeFileSync(join(cwd, 'terminal-sim.json'), JSON.stringify(profiles));
    const r = await run(purchaseCommand, ['--amount', '1.00'], cwd);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ terminalId: 'TERM0024', outcome: 'approved' });
    expect(existsSync(join(cwd, 'journals', 'TERM0024.json'))).toBe(true);
    const overridden = await run(echoCommand, ['--profile', 'other', '--target', `tcp://127.0.0.1:${stack.port}`], cwd);
    expect(overridden.out).toBe('echo (0800/301): 00 APPROVED\n');

    const missing = await run(echoCommand, ['--profile', 'nope'], cwd);
    expect(missing.code).toBe(ExitCodes.usage);
    expect(missing.err).toContain('no profile "nope"');

    const file = join(cwd, 'bad.json');
    writeFileSync(file, JSON.stringify({ profiles: { x: { target: 'tcp://h:1', colour: 'red' } } }));
    const bad = await run(echoCommand, ['--profiles', file, '--profile', 'x'], cwd);
    expect(bad.code).toBe(ExitCodes.usage);
    expect(bad.err).toContain('profile "x" has unknown option "colour"');
    writeFileSync(file, JSON.stringify({ profiles: { x: { json: 'yes' } } }));
    expect((await run(echoCommand, ['--profiles', file, '--profile', 'x'], cwd)).err).toContain('"json" must be true or false');
    expect(readFileSync(join(cwd, 'terminal-sim.json'), 'utf8')).toContain('shop');
  });
});

describe('--timeout', () => {
  it.each([
    ['30', 30_000],
    ['2.5', 2_500],
    ['0.25', 250],
    ['500ms', 500],
    ['10s', 10_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseTimeout(text)).toBe(ms);
  });
  it.each(['', '-1', '0', '1.5ms', 'abc', '601', '1.2345'])('refuses %j', (text) => {
    expect(() => parseTimeout(text)).toThrow('--timeout');
  });
  it('defaults to 30 s', () => {
    expect(parseTimeout(undefined)).toBe(30_000);
  });
});
