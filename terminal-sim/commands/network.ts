import { NetworkCodes } from '../device/index.js';
import { defineCommand, type Command } from './command.js';
import { faultOptions, linkOptions, terminalOptions } from './options.js';
import { exitCodeOf, writeJson } from './output.js';
import { withTerminal } from './transactions.js';

function networkCommand(name: 'echo' | 'signon', summary: string, description: string): Command {
  return defineCommand({
    name,
    summary,
    synopsis: '[options]',
    description,
    groups: [['Terminal', terminalOptions], ['Link', linkOptions], ['Faults', faultOptions]],
    async action(values, io) {
      return withTerminal(values, io, name, async (t) => {
        const r = name === 'echo' ? await t.echo() : await t.signOn();
        const exitCode = exitCodeOf(r.outcome);
        if (values.json === true) {
          writeJson(io, { command: name, terminalId: t.terminalId, outcome: r.outcome, exitCode, responseCode: r.responseCode, responseText: r.responseText });
        } else {
          io.stdout.write(`${name === 'echo' ? 'echo' : 'sign-on'} (0800/${name === 'echo' ? NetworkCodes.echo : NetworkCodes.signOn}): ${r.responseCode ?? '--'} ${r.responseText}\n`);
        }
        return exitCode;
      });
    },
  });
}

export const echoCommand = networkCommand('echo', 'network echo test (0800/301)', 'Sends an 0800 echo test (field 70 = 301) and waits for the 0810.');
export const signOnCommand = networkCommand('signon', 'sign the terminal on (0800/001)', 'Signs the terminal on: 0800 with field 70 = 001.');
