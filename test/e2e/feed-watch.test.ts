import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';
import { sale, TEST_PAN } from './terminal-client.js';

// the built CLI (npm test runs tsc first)
const CLI = fileURLToPath(new URL('../../dist/gateway/cli.js', import.meta.url));
const TOKEN = 'merchant-a-token-0001';

interface Run {
  child: ChildProcess;
  out: string[];
  err: string[];
  exit: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr!.on('data', (d: Buffer) => err.push(...d.toString().split('\n').filter(Boolean)));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, err, exit };
}

const stacks: Stack[] = [];
const runs: Run[] = [];
afterEach(async () => {
  for (const r of runs.splice(0)) r.child.kill('SIGKILL');
  for (const s of stacks.splice(0)) await s.close();
});

async function stack(port = 0, dir?: string): Promise<Stack> {
  const s = await startStack({
    dir,
    config: { http: { host: '127.0.0.1', port }, merchants: [{ id: 'MERCHANT0000001', name: 'Shop', enabled: true, apiToken: TOKEN }] },
  });
  stacks.push(s);
  return s;
}

describe('pos-gateway watch', () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npx tsc -p tsconfig.json" first`);
  });

  it('prints each event on a line, reconnects from the last number after the gateway restarts, exits 0 on Ctrl-C', async () => {
    const s = await stack();
    const port = s.gw.ports.http;
    const w = run(['watch', '--url', `ws://127.0.0.1:${port}/feed`, '--token', TOKEN]);
    runs.push(w);
    await waitFor(() => w.out.some((l) => l.startsWith('snapshot')), 10_000, 'the snapshot line');
    const t = await s.terminal();
    await t.request(sale(t, { amount: 1234 }));
    await waitFor(() => w.out.some((l) => l.includes('approved')), 5_000, 'the approval line');
    const line = w.out.find((l) => l.includes('approved'))!;
    expect(line).toMatch(/^\S+Z #1 approved\s+TERM0001 purchase 12\.34 840 476173\*{6}0119 rc 00 auth \S+ rrn \d{12}$/);

    // the gateway goes away and comes back on the same port: the watch picks up after #1
    await s.close();
    stacks.splice(0);
    await waitFor(() => w.err.some((l) => l.includes('reconnecting')), 5_000, 'a reconnect notice');
    const again = await stack(port, s.dir);
    const t2 = await again.terminal();
    await t2.request(sale(t2, { amount: 500 }));
    await waitFor(() => w.out.some((l) => l.includes('#2 approved')), 15_000, 'the event after the restart');
    expect(w.out.filter((l) => l.includes('approved'))).toHaveLength(2);
    expect(w.out.join('\n')).not.toContain(TEST_PAN);

    w.child.kill('SIGINT');
    expect(await w.exit).toBe(0);
  });

  it('exits 1 with a message when the token is refused', async () => {
    const s = await stack();
    const w = run(['watch', '--url', `ws://127.0.0.1:${s.gw.ports.http}/feed`, '--token', 'wrong-token-0000000']);
    runs.push(w);
    expect(await w.exit).toBe(1);
    expect(w.err.join('\n')).toContain('the feed refused the connection: 4401 token not recognised');
  });

  it('explains its options with --help and refuses a bad --since', async () => {
    const help = run(['watch', '--help']);
    runs.push(help);
    expect(await help.exit).toBe(0);
    expect(help.out.join('\n')).toContain('pos-gateway watch --url ws://HOST:PORT/feed --token TOKEN');
    const bad = run(['watch', '--token', 'x', '--since', 'soon']);
    runs.push(bad);
    expect(await bad.exit).toBe(2);
    expect(bad.err.join('\n')).toContain('option "--since" must be a non-negative integer');
  });
});
