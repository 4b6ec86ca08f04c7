/** Where a command writes, and where it resolves relative paths; the CLI passes the process's, tests their own. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Exit codes of the transaction commands: what a script branches on. */
export const ExitCodes = {
  approved: 0,
  declined: 1,
  /** Timed out, or the reply could not be read: the outcome is unknown (a reversal is pending). */
  noAnswer: 2,
  /** Bad input, connection refused, journal problems. */
  error: 3,
  /** Usage error (sysexits EX_USAGE). */
  usage: 64,
} as const;

/** A failure the command explains in its message (exit code 3): an unreachable acquirer API, say. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly code = 'FAILED',
  ) {
    super(message);
    this.name = 'CommandFailure';
  }
}

/** A usage error: the message names the option; the command prints its usage after it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
