import { isProtocolError } from '../../protocol/index.js';
import { isDeviceError } from '../device/index.js';
import { isTransportError } from '../transport/index.js';
import { parseOptions } from './context.js';
import { CommandFailure, ExitCodes, UsageError, processIo, type CommandIo } from './io.js';
import { FaultError, FaultNames, Faults } from '../faults/index.js';
import { SerialFaultNames, SerialFaults } from '../transport/index.js';
import { describeOptions, type OptionTable } from './options.js';
import type { OptionValues } from './profiles.js';
import { writeJson } from './output.js';

export interface Command {
  summary: string;
  usage: string;
  run(args: string[], io?: CommandIo): Promise<number>;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Usage line arguments and a paragraph on what the command does. */
  synopsis: string;
  description: string;
  /** Option groups, shown in this order. */
  groups: [title: string, table: OptionTable][];
  /** Lines after the options. */
  notes?: string;
  /** How many positional arguments it takes (in `values._`). Default 0. */
  positionals?: number;
  /** Replaces the exit-code paragraph. */
  exitText?: string;
  action(values: OptionValues, io: CommandIo): Promise<number>;
}

const EXIT_TEXT = `Exit codes: 0 approved, 1 declined, 2 timed out or no answer (a reversal is pending), 3 error (bad input,
connection refused), 64 usage error.`;

const FAULTS_TEXT = `Faults (--fault NAME or --fault NAME=VALUE; they hit this command's own request, not the reversal or advices
sent before it):
${FaultNames.map((n) => `  ${n.padEnd(26)} ${Faults[n]}`).join('\n')}
Serial line faults (serial: targets only; they hit the frame that carries this command's request):
${SerialFaultNames.map((n) => `  ${n.padEnd(26)} ${SerialFaults[n]}`).join('\n')}`;

/** A subcommand: strict options (an unknown option is an error naming it), --help, errors mapped to exit codes. */
export function defineCommand(spec: CommandSpec): Command {
  const table: OptionTable = Object.assign({}, ...spec.groups.map(([, t]) => t));
  const usage = [
    `terminal-sim ${spec.name} ${spec.synopsis}`,
    '',
    spec.description,
    ...spec.groups.flatMap(([title, t]) => ['', `${title}:`, describeOptions(t)]),
    ...(spec.notes ? ['', spec.notes] : []),
    ...(Object.hasOwn(table, 'fault') ? ['', FAULTS_TEXT] : []),
    '',
    spec.exitText ?? EXIT_TEXT,
  ].join('\n');
  return {
    summary: spec.summary,
    usage,
    async run(args: string[], io: CommandIo = processIo()): Promise<number> {
      let values: OptionValues | undefined;
      try {
        values = parseOptions(args, table, io, spec.positionals ?? 0);
        if (values.help === true) {
          io.stdout.write(usage + '\n');
          return ExitCodes.approved;
        }
        return await spec.action(values, io);
      } catch (e) {
        return fail(e, spec.name, io, values?.json === true);
      }
    },
  };
}

function fail(e: unknown, name: string, io: CommandIo, json: boolean): number {
  const usageError = e instanceof UsageError || e instanceof FaultError || isTransportError(e, 'BAD_TARGET');
  const known = usageError || e instanceof CommandFailure || isDeviceError(e) || isTransportError(e) || isProtocolError(e);
  const code = usageError ? ExitCodes.usage : ExitCodes.error;
  const message = known ? (e as Error).message : `unexpected failure: ${(e as Error)?.message ?? String(e)}`;
  io.stderr.write(`terminal-sim ${name}: ${message}\n${usageError ? `Run "terminal-sim ${name} --help" for its options.\n` : ''}`);
  if (json) {
    const errorCode = (e as { code?: unknown })?.code;
    writeJson(io, { command: name, outcome: 'error', exitCode: code, error: { code: typeof errorCode === 'string' ? errorCode : usageError ? 'USAGE' : 'UNEXPECTED', message } });
  }
  return code;
}
