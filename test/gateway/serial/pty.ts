import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** socat makes the linked pseudo-terminal pairs; CI installs it (.ci/run). */
export const hasSocat: boolean = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
export const NO_SOCAT = 'socat is not installed (apt-get install socat; .ci/run installs it): no pty pairs';

/** A pty suite's name, with the reason it is skipped when socat is missing (vitest shows names, not reasons). */
export function ptySuite(name: string): string {
  return hasSocat ? name : `${name} [skipped: ${NO_SOCAT}]`;
}

/**
 * A linked pair of pseudo-terminals, as a null-modem cable between two serial ports: what one side writes the other
 * reads. Its two ends are symlinks in a temp dir (`a`, `b`), so the same paths work after `replug`.
 */
export class PtyPair {
  readonly a: string;
  readonly b: string;
  #socat: ChildProcess | undefined;

  private constructor(private readonly dir: string) {
    this.a = join(dir, 'a');
    this.b = join(dir, 'b');
  }

  static async open(): Promise<PtyPair> {
    const pair = new PtyPair(mkdtempSync(join(tmpdir(), 'posgw-pty-')));
    await pair.plug();
    return pair;
  }

  get plugged(): boolean {
    return this.#socat !== undefined;
  }

  /** Starts socat; resolves once both ptys exist (it prints "PTY is /dev/pts/N" for each). */
  plug(): Promise<void> {
    if (this.#socat !== undefined) return Promise.resolve();
    const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#socat = socat;
    return new Promise((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`socat did not make a pty pair: ${err}`)), 5000);
      socat.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socat.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        // the links are made before "starting data transfer loop"
        if (/starting data transfer loop/.test(err) && (err.match(/PTY is \/dev\/pts\/\d+/g) ?? []).length === 2) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /** Pulls the cable: socat ends, both ptys close (their readers get EIO) and the links go away. */
  async unplug(): Promise<void> {
    const socat = this.#socat;
    if (socat === undefined) return;
    this.#socat = undefined;
    if (socat.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
    socat.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    if (socat.exitCode === null) socat.kill('SIGKILL');
  }

  async replug(): Promise<void> {
    await this.unplug();
    await this.plug();
  }

  async close(): Promise<void> {
    await this.unplug();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
