import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
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

const MAX_LINES_SHOWN = 10;

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
  // stdout is always read, so a chatty child never blocks on a full pipe; a few of its lines are shown, not a flood
  const lines = createInterface({ input: child.stdout! });
  let shown = 0;
  lines.on('line', (line) => {
    if (isReadyLine(line) || shown > MAX_LINES_SHOWN) return;
    process.stderr.write(++shown > MAX_LINES_SHOWN ? `${name}: (more output not shown)\n` : `${name}: ${line}\n`);
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

const tempDirs = new Set<string>();

/** A fresh temporary folder, removed when the benchmark ends, however it ends. */
export function benchTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/**
 * Runs a benchmark's `main` and sets the exit code from it; nothing it started outlives it, not on an error, not on
 * Ctrl-C (child processes killed, temporary folders removed). A TypeError is a usage error: the usage follows, exit 2.
 * `interrupted` runs first on a signal or an error (to end a progress line).
 */
export function runBench(name: string, usage: string, main: (argv: string[]) => Promise<number>, interrupted: () => void = () => undefined): void {
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      interrupted();
      killAll();
      removeTempDirs();
      process.exit(130);
    });
  }
  main(process.argv.slice(2))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        interrupted();
        process.stderr.write(`${name}: ${e instanceof Error ? e.message : String(e)}\n${e instanceof TypeError ? `\n${usage}\n` : ''}`);
        killAll();
        process.exitCode = e instanceof TypeError ? 2 : 1;
      },
    )
    .finally(removeTempDirs);
}

/** Linux clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on every common kernel). */
const USER_HZ = 100;

function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the ")" that ends the command name: state is field 3, utime 14, stime 15
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/**
 * CPU used by each named process over a window, as a share of one core (100 = one core busy all the time). This
 * process is always metered, as "driver"; the others only where /proc exists (Linux), else they are left out.
 */
export class CpuMeter {
  private readonly started = new Map<string, number | undefined>();
  private startedAt = 0;
  private self = process.cpuUsage();
  result: Record<string, number> = {};

  constructor(private readonly pids: Record<string, number | undefined>) {}

  open(): void {
    this.startedAt = performance.now();
    this.self = process.cpuUsage();
    for (const [name, pid] of Object.entries(this.pids)) this.started.set(name, pid === undefined ? undefined : cpuSeconds(pid));
  }

  close(): void {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const result: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const before = this.started.get(name);
      const after = pid === undefined ? undefined : cpuSeconds(pid);
      if (before !== undefined && after !== undefined) result[name] = (100 * (after - before)) / seconds;
    }
    const self = process.cpuUsage(this.self);
    result.driver = (self.user + self.system) / 1e4 / seconds;
    this.result = result;
  }

  /** "gateway 98%, stub 41%, driver 57%" */
  toString(): string {
    return Object.entries(this.result)
      .map(([name, pct]) => `${name} ${Math.round(pct)}%`)
      .join(', ');
  }
}

/** The machine's CPU time so far, from /proc/stat (Linux): all of it, and what the hypervisor took (steal). */
function machineTicks(): { total: number; steal: number } | undefined {
  try {
    // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: cpu.reduce((a, b) => a + b, 0), steal: cpu[7] };
  } catch {
    return undefined;
  }
}

/**
 * The share of the machine's CPU time a hypervisor took from this virtual machine since this was called: on a
 * shared host it can be a fifth of the time, and every rate measured falls with it. Undefined where /proc is missing.
 */
export function stolenSince(): () => number | undefined {
  const before = machineTicks();
  return () => {
    const after = machineTicks();
    if (before === undefined || after === undefined || after.total === before.total) return undefined;
    return (after.steal - before.steal) / (after.total - before.total);
  };
}
