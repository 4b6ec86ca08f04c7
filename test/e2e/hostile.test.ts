import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSpecs, codecFor, encodeFrame, FrameDecoder, tpdu } from '../../protocol/index.js';
import { startStack, type Stack } from './stack.js';
import { sale, type TestTerminal } from './terminal-client.js';

let stack: Stack;

beforeAll(async () => {
  const listener = {
    name: 'terminals',
    host: '127.0.0.1',
    port: 0,
    header: 'binary2' as const,
    tpdu: true,
    spec: 'iso87binary',
    maxFrameSize: 4096,
    idleTimeoutMs: 800,
    frameTimeoutMs: 300,
    maxInFlight: 64,
    maxConnections: 1000,
  };
  stack = await startStack({ config: { listeners: [listener] } });
});
afterAll(async () => {
  await stack?.close();
});

/** A raw connection: resolves `closed` when the gateway closes it, collecting whatever frames it sent first. */
function raw(): Promise<{ socket: net.Socket; closed: Promise<Buffer[]> }> {
  return new Promise((resolve) => {
    const socket = net.connect(stack.port, '127.0.0.1', () => {
      const frames: Buffer[] = [];
      const decoder = new FrameDecoder({ header: 'binary2', tpdu: true, maxFrameSize: 8192 });
      socket.on('data', (c) => frames.push(...decoder.push(c).map((f) => f.payload)));
      socket.on('error', () => undefined);
      resolve({ socket, closed: new Promise((r) => socket.on('close', () => r(frames))) });
    });
  });
}

/** Another terminal, on a fresh connection (the idle timeout in this file is short), still gets its approval. */
async function stillServed(): Promise<void> {
  const good: TestTerminal = await stack.terminal();
  const res = await good.request(sale(good, { amount: 100 }));
  expect(res.fields[39]).toBe('00');
}

describe('hostile and broken peers', () => {
  it('closes a connection that sends garbage, and keeps serving the others', async () => {
    const { socket, closed } = await raw();
    socket.write(Buffer.from('0006deadbeef00ff', 'hex'));
    await closed;
    await stillServed();
    expect(readFileSync(stack.logFile, 'utf8')).toMatch(/"code":"BAD_TPDU".*bad frame from terminal: closing/);
  });

  it('closes a connection announcing a frame over the maximum before buffering it', async () => {
    const { socket, closed } = await raw();
    socket.write(Buffer.from([0xff, 0xff, 0x60, 0x00]));
    await closed;
    await stillServed();
    expect(readFileSync(stack.logFile, 'utf8')).toContain('FRAME_TOO_LARGE');
  });

  it('answers 30 to a well-framed message that does not decode, naming field and offset in the log', async () => {
    const { socket, closed } = await raw();
    // 0200, a primary bitmap announcing field 2, then a PAN length of 99 digits: over the maximum of 19
    const payload = Buffer.from('02004000000000000000' + '99', 'hex');
    socket.write(encodeFrame(payload, { header: 'binary2', tpdu: tpdu(1, 0) }));
    const frames = await Promise.race([closed, new Promise<Buffer[]>((r) => setTimeout(() => { socket.destroy(); r([]); }, 1500))]);
    socket.destroy();
    const answer = codecFor(builtinSpecs.iso87binary).decode(frames[0]);
    expect(answer).toMatchObject({ mti: '0210' });
    expect(answer.fields[39]).toBe('30');
    expect(readFileSync(stack.logFile, 'utf8')).toContain('field 2 at offset 10: length 99 exceeds maximum 19');
  });

  it('closes a slowloris connection whose frame never completes', async () => {
    const { socket, closed } = await raw();
    const started = Date.now();
    socket.write(Buffer.from([0x00, 0x40, 0x60]));
    await closed;
    expect(Date.now() - started).toBeLessThan(1_500);
    await stillServed();
  });

  it('closes an idle connection', async () => {
    const { closed } = await raw();
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
  });
});
