// The terminal-sim subcommands that drive a simulated terminal. Imports protocol/ only (through device/ and transport/).
export { defineCommand, type Command, type CommandSpec } from './command.js';
export { CommandFailure, ExitCodes, UsageError, processIo, type CommandIo } from './io.js';
export { parseTimeout } from './context.js';
export { parseProfiles, withProfile, type ProfilesFile } from './profiles.js';
export { purchaseCommand, refundCommand, preauthCommand, voidCommand, completeCommand, reverseCommand } from './transactions.js';
export { echoCommand, signOnCommand } from './network.js';
export { settleCommand } from './settle.js';
export { receiptsCommand } from './receipts.js';
