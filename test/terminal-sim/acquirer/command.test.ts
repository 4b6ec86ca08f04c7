import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquirerCommand, type AcquirerStub } from '../../../terminal-sim/acquirer/index.js';
import { runCli } from '../../../terminal-sim/cli.js';
import { LinkClient, LogCapture, PAN, auth, startTestStub } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'acquirer-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(env: NodeJS.ProcessEnv = {}) {
  const stdout = new LogCapture();
  const stderr = new LogCapture();
  const controller = new AbortController();
  let started: (stub: AcquirerStub) => void = () => {};
  const ready = new Promise<AcquirerStub>((resolve) => (started = resolve));
  return { stdout, stderr, env, signal: controller.signal, onStarted: (s: AcquirerStub) => started(s), ready, stop: () => controller.abort() };
}

describe('terminal-sim acquirer (command)', () => {
  it('prints its help and exits 0', async () => {
    const x = io();
    expect(await acquirerCommand.run(['--help'], x)).toBe(0);
    expect(x.stdout.text).toContain('terminal-sim acquirer [options]');
    expect(x.stdout.text).toContain('--http-port PORT');
  });

  it.each([
    [['--nope'], /Unknown option '--nope'/],
    [['--port', 'abc'], /--port must be an integer/],
    [['--port', '70000'], /--port must be an integer from 0 to 65535/],
    [['--latency', '-5'], /--latency/],
    [['--log-level', 'loud'], /--log-level must be one of/],
    [['extra'], /positional/],
  ])('rejects %j with exit code 2', async (args, message) => {
    const x = io();
    expect(await acquirerCommand.run(args, x)).toBe(2);
    expect(x.stderr.text).toMatch(message);
  });

  it('rejects a short PAN key with exit code 2', async () => {
    const x = io({ ACQUIRER_PAN_KEY: 'short' });
    expect(await acquirerCommand.run(['--port', '0'], x)).toBe(2);
    expect(x.stderr.text).toContain('ACQUIRER_PAN_KEY must be at least 16 characters');
  });

  it('exits 1 when the rules file does not validate, naming the key', async () => {
    const file = join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify({ cards: { [PAN]: { balanse: 5 } } }));
    const x = io();
    expect(await acquirerCommand.run(['--port', '0', '--http-port', '0', '--db', join(dir, 'a.db'), '--reports-dir', join(dir, 'reports'), '--rules', file], x)).toBe(1);
    expect(x.stderr.text).toContain('unknown key "balanse"');
    expect(x.stderr.text).not.toContain(PAN);
  });

  it('exits 1 when its port is taken', async () => {
    const other = await startTestStub();
    const x = io();
    const code = await acquirerCommand.run(['--port', String(other.stub.port), '--http-port', '0', '--db', join(dir, 'b.db'), '--reports-dir', join(dir, 'reports')], x);
    expect(code).toBe(1);
    expect(x.stderr.text).toContain('EADDRINUSE');
    await other.close();
  });

  it('runs with a rules file and a ledger file, logs JSON lines, and stops on its signal with 0', async () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ cards: { [PAN]: { balance: 1500 } } }));
    const x = io({ ACQUIRER_PAN_KEY: 'a-long-enough-test-key' });
    const done = acquirerCommand.run(['--port', '0', '--http-port', '0', '--db', join(dir, 'c.db'), '--reports-dir', join(dir, 'reports'), '--rules', file], x);
    const stub = await x.ready;
    const link = await LinkClient.connect(stub.port);
    expect((await link.request(auth({ amount: 2000 }))).fields[39]).toBe('51');
    const health = (await (await fetch(`${stub.url}/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    link.close();
    x.stop();
    expect(await done).toBe(0);
    const events = x.stdout.events();
    expect(events.find((e) => e.event === 'listening')).toMatchObject({ service: 'acquirer-stub', port: stub.port });
    expect(events.find((e) => e.event === 'request')).toMatchObject({ mti: '0200', rc: '51', pan: '476173******0119' });
    expect(x.stdout.text).not.toContain(PAN);
  });
});

describe('terminal-sim (dispatcher)', () => {
  it('rejects an unknown command with exit code 2 and lists the commands', async () => {
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (writes.push(chunk), true)) as typeof process.stderr.write;
    try {
      expect(await runCli(['teller'])).toBe(64);
    } finally {
      process.stderr.write = original;
    }
    expect(writes.join('')).toMatch(/unknown command "teller"[\s\S]*acquirer/);
  });
});
