#!/usr/bin/env node
// The terminal-sim command: a table of subcommands, each loaded only when it runs.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Subcommand {
  usage: string;
  run(args: string[]): Promise<number>;
}

const subcommands: Readonly<Record<string, { summary: string; load: () => Promise<Subcommand> }>> = {
  purchase: {
    summary: 'a sale (0200, processing code 000000); offline below the floor limit',
    load: async () => (await import('./commands/transactions.js')).purchaseCommand,
  },
  refund: {
    summary: 'a refund to the card (0200, processing code 200000)',
    load: async () => (await import('./commands/transactions.js')).refundCommand,
  },
  void: {
    summary: 'void a sale or refund of the open batch by invoice or RRN',
    load: async () => (await import('./commands/transactions.js')).voidCommand,
  },
  preauth: {
    summary: 'a pre-authorization: funds held, not captured (0100)',
    load: async () => (await import('./commands/transactions.js')).preauthCommand,
  },
  complete: {
    summary: 'complete a pre-authorization (0220 advice naming its RRN)',
    load: async () => (await import('./commands/transactions.js')).completeCommand,
  },
  reverse: {
    summary: 'send the pending reversal, or reverse a transaction (0400/0401)',
    load: async () => (await import('./commands/transactions.js')).reverseCommand,
  },
  echo: {
    summary: 'network echo test (0800/301)',
    load: async () => (await import('./commands/network.js')).echoCommand,
  },
  signon: {
    summary: 'sign the terminal on (0800/001)',
    load: async () => (await import('./commands/network.js')).signOnCommand,
  },
  settle: {
    summary: 'settle the open batch (0500; on 95 the 0320 upload and the trailer)',
    load: async () => (await import('./commands/settle.js')).settleCommand,
  },
  receipts: {
    summary: "print or export the terminal's receipts (--json for reconciliation)",
    load: async () => (await import('./commands/receipts.js')).receiptsCommand,
  },
  scenario: {
    summary: 'run a day of terminals from a scenario file; report what a merchant would call about',
    load: async () => (await import('./scenario/command.js')).scenarioCommand,
  },
  load: {
    summary: 'load test: many terminals, open or closed loop, live progress, latency summary',
    load: async () => (await import('./load/command.js')).loadCommand,
  },
  acquirer: {
    summary: 'run the acquirer stub (host link on TCP, ledger, HTTP control API)',
    load: async () => (await import('./acquirer/command.js')).acquirerCommand,
  },
};

// 64 (EX_USAGE), as the transaction commands use: 2 means "timed out" there
const ExitCodes = { ok: 0, usage: 64 } as const;

const mainUsage = `terminal-sim <command> [options]

Commands:
${Object.entries(subcommands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run "terminal-sim <command> --help" for a command's options.`;

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainUsage + '\n');
    return name === undefined ? ExitCodes.usage : ExitCodes.ok;
  }
  if (!Object.hasOwn(subcommands, name)) {
    process.stderr.write(`terminal-sim: unknown command "${name}"\n\n${mainUsage}\n`);
    return ExitCodes.usage;
  }
  return (await subcommands[name].load()).run(rest);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`terminal-sim: unexpected failure: ${(e as Error).message}\n`);
      process.exitCode = 3;
    },
  );
}
