import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createInterface, type Interface } from 'node:readline';

/** Every process the benchmark starts, so that every exit path (error, signal) can end them all. */
const children = new Set<ChildProcess>();

export interface Child {
  name: string;
  process: ChildProcess;
  /** The child's stdout lines, once each: the ready line is looked for here, the rest goes to stderr. */
  lines: Interface;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `node ...args` with stdout piped (for a JSON ready line) and stderr passed through. */
export function startNode(name: string, args: string[]): Child {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  // stdout is always read, so a chatty child never blocks on a full pipe
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    if (!isReadyLine(line)) process.stderr.write(`${name}: ${line}\n`);
  });
  return {
    name,
    process: child,
    lines,
    exited,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

const READY = /^\{"port":(\d+)\}$/;
const isReadyLine = (line: string): boolean => READY.test(line);

/** Resolves with the port of the child's ready line, {"port":N}, on its stdout. */
export function readyPort(child: Child, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${child.name} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.lines.on('line', (line) => {
      const port = READY.exec(line)?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      resolve(Number(port));
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${child.name} exited with code ${code} before it was ready`));
    });
  });
}

/** A port free right now on loopback (for a process whose ready line does not say its port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200, or throws after `timeoutMs`. */
export async function waitHealthy(url: string, timeoutMs: number, child: Child): Promise<void> {
  const end = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < end) {
    if (exited) throw new Error(`${child.name} exited before it was healthy`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${child.name} was not healthy within ${timeoutMs} ms (${url})`);
}

/** Last resort on every exit path: nothing the benchmark started outlives it. */
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
}
