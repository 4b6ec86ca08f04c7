#!/usr/bin/env node
// The terminal-sim command: a table of subcommands, each loaded only when it runs.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Subcommand {
  usage: string;
  run(args: string[]): Promise<number>;
}

const subcommands: Readonly<Record<string, { summary: string; load: () => Promise<Subcommand> }>> = {
  acquirer: {
    summary: 'run the acquirer stub (host link on TCP, ledger, HTTP control API)',
    load: async () => (await import('./acquirer/command.js')).acquirerCommand,
  },
};

const ExitCodes = { ok: 0, usage: 2 } as const;

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
