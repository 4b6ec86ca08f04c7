import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  cardFromPan,
  cardFromTrack2,
  EntryModes,
  exponentOf,
  parseAmount,
  parseDataKey,
  testCardNamed,
  type Card,
  type EntryMode,
  type SaleInput,
  type TerminalOptions,
} from '../device/index.js';
import {
  isSerialFaultFlag,
  isSerialTarget,
  openTransport,
  parseNii,
  parseSerialFaultFlags,
  parseSerialTarget,
  parseTarget,
  SerialTransport,
  resolveLinkOptions,
  TransportError,
  type LinkOptions,
  type StreamTransport,
  type SerialFaultSet,
  type Target,
  type TlsOptions,
} from '../transport/index.js';
import { openRiggedTerminal, parseFaultFlags, type FaultRig, type FaultSet } from '../faults/index.js';
import type { Terminal } from '../device/index.js';
import { UsageError, type CommandIo } from './io.js';
import { DEFAULT_DATA_DIR, DEFAULT_TIMEOUT_S, parseArgsConfig, type OptionTable } from './options.js';
import { withProfile, type OptionValues } from './profiles.js';

/**
 * Parses strictly (an unknown option is an error naming it), then fills in the profile. Commands that take
 * `positionals` (at most that many) find them in `values._`.
 */
export function parseOptions(args: string[], table: OptionTable, io: CommandIo, positionals = 0): OptionValues {
  let values: OptionValues;
  try {
    const parsed = parseArgs({ args, options: parseArgsConfig(table), strict: true, allowPositionals: positionals > 0 });
    values = parsed.values as OptionValues;
    if (parsed.positionals.length > positionals) throw new Error(`unexpected argument "${parsed.positionals[positionals]}"`);
    if (positionals > 0) values._ = parsed.positionals;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help === true) return values;
  return withProfile(values, table, io.cwd);
}

export function str(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function required(values: OptionValues, name: string): string {
  const v = str(values, name);
  if (v === undefined || v === '') throw new UsageError(`option "--${name}" is required`);
  return v;
}

function onOff(values: OptionValues, name: string, fallback: boolean): boolean {
  const v = str(values, name);
  if (v === undefined) return fallback;
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new UsageError(`--${name} must be on or off`);
}

/** "30", "2.5" (seconds), "500ms", "10s" -> milliseconds; from 1 ms to 10 minutes. */
export function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_S * 1000;
  const m = /^(\d+)(?:\.(\d{1,3}))?(ms|s)?$/.exec(text);
  if (m === null) throw new UsageError('--timeout must be seconds (30, 2.5) or milliseconds (500ms)');
  const [, whole, fraction = '', unit = 's'] = m;
  if (unit === 'ms' && fraction !== '') throw new UsageError('--timeout in ms takes no decimals');
  const ms = unit === 'ms' ? Number(whole) : Number(whole) * 1000 + Number(fraction.padEnd(3, '0'));
  if (ms < 1 || ms > 600_000) throw new UsageError('--timeout must be from 1 ms to 600 s');
  return ms;
}

export function currencyOf(values: OptionValues): string {
  const currency = str(values, 'currency') ?? '840';
  if (!/^\d{3}$/.test(currency)) throw new UsageError('--currency must be 3 digits (ISO 4217 numeric, e.g. 840)');
  return currency;
}

/** Money options parsed exactly, in the currency's minor units; bad money is a DeviceError (bad input) naming the option. */
export function money(values: OptionValues, name: string, opts: { allowZero?: boolean } = {}): number | undefined {
  const text = str(values, name);
  if (text === undefined) return undefined;
  return parseAmount(text, exponentOf(currencyOf(values)), { ...opts, option: `--${name}` });
}

/** The transport for --target and the link options (its `link.spec` is the spec the terminal packs with). */
export function transportOf(values: OptionValues, io: CommandIo): StreamTransport | SerialTransport {
  const url = required(values, 'target');
  if (isSerialTarget(url)) {
    const target = parseSerialTarget(url);
    for (const name of ['ca', 'cert', 'key'] as const) {
      if (str(values, name) !== undefined) throw new UsageError(`--${name} applies to tls:// targets only`);
    }
    return new SerialTransport(target, linkOptionsOf(values, io));
  }
  const { target, link, tls } = linkOf(values, io);
  return openTransport(target, link, tls);
}

/** --target, the link options and the TLS files, checked. */
export function linkOf(values: OptionValues, io: CommandIo): { target: Target; link: LinkOptions; tls: TlsOptions } {
  const url = required(values, 'target');
  if (isSerialTarget(url)) throw new UsageError('this command takes tcp:// or tls:// targets only (serial: is for the transaction commands)');
  const target = parseTarget(url);
  const link = linkOptionsOf(values, io);
  const tls: TlsOptions = { insecure: values.insecure === true };
  for (const name of ['ca', 'cert', 'key'] as const) {
    const file = str(values, name);
    if (file === undefined) continue;
    if (target.scheme !== 'tls') throw new UsageError(`--${name} applies to tls:// targets only`);
    tls[name] = readFileSync(resolve(io.cwd, file));
  }
  return { target, link, tls };
}

/** --header, --tpdu, --nii, --source-nii and --spec, checked. */
function linkOptionsOf(values: OptionValues, io: CommandIo): LinkOptions {
  let link;
  try {
    const tpdu = onOff(values, 'tpdu', true);
    const nii = str(values, 'nii');
    const source = str(values, 'source-nii');
    const spec = str(values, 'spec');
    link = resolveLinkOptions({
      header: str(values, 'header'),
      tpdu: tpdu ? { destination: nii === undefined ? undefined : parseNii(nii, '--nii'), source: source === undefined ? undefined : parseNii(source, '--source-nii') } : false,
      spec: spec === undefined || !/\.(json|xml)$/i.test(spec) ? spec : resolve(io.cwd, spec),
    });
  } catch (e) {
    if (e instanceof TypeError) throw new UsageError(e.message.replace(/"(\w+)"/, '--$1'));
    throw e;
  }
  return link;
}

/** Terminal options from the command line (and profile); the transport only when the command talks to the host. */
export function terminalOptionsOf(values: OptionValues, io: CommandIo, withTransport: boolean): TerminalOptions {
  const o: TerminalOptions = {
    terminalId: required(values, 'terminal'),
    merchantId: str(values, 'merchant'),
    merchantName: str(values, 'merchant-name'),
    dataDir: resolve(io.cwd, str(values, 'data-dir') ?? DEFAULT_DATA_DIR),
    currency: currencyOf(values),
  };
  if (withTransport) {
    const transport = transportOf(values, io);
    o.transport = transport;
    o.spec = transport.link.spec;
    o.timeoutMs = parseTimeout(str(values, 'timeout'));
  }
  if (str(values, 'country') !== undefined) o.country = str(values, 'country');
  if (str(values, 'key-set') !== undefined) o.keySet = str(values, 'key-set');
  const floor = money(values, 'floor-limit', { allowZero: true });
  if (floor !== undefined) o.floorLimit = floor;
  const dataKey = dataKeyOf(values, io);
  if (dataKey !== undefined) o.dataKey = dataKey;
  return o;
}

/** --data-key-file, else $TERMINAL_SIM_DATA_KEY, else none (the key set's derived key). */
export function dataKeyOf(values: OptionValues, io: CommandIo): Buffer | undefined {
  const file = str(values, 'data-key-file');
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, file), 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read --data-key-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return parseDataKey(text, '--data-key-file');
  }
  const env = io.env.TERMINAL_SIM_DATA_KEY;
  return env === undefined || env === '' ? undefined : parseDataKey(env, 'TERMINAL_SIM_DATA_KEY');
}

/** The --fault flags, parsed (a FaultError names the bad one); the serial line faults are in serialFaultsOf. */
export function faultsOf(values: OptionValues): FaultSet {
  const flags = values.fault;
  return Array.isArray(flags) ? parseFaultFlags(flags.filter((f) => !isSerialFaultFlag(f))) : {};
}

/** The serial line faults among the --fault flags; only a serial: target takes them. */
export function serialFaultsOf(values: OptionValues): SerialFaultSet {
  const flags = Array.isArray(values.fault) ? values.fault.filter(isSerialFaultFlag) : [];
  if (flags.length === 0) return {};
  if (!isSerialTarget(str(values, 'target') ?? '')) throw new UsageError(`--fault ${flags[0].split('=')[0]} applies to serial: targets only`);
  try {
    return parseSerialFaultFlags(flags);
  } catch (e) {
    if (e instanceof TypeError) throw new UsageError(e.message);
    throw e;
  }
}

export async function openTerminal(values: OptionValues, io: CommandIo, withTransport = true): Promise<{ terminal: Terminal; rig: FaultRig }> {
  const o = terminalOptionsOf(values, io, withTransport);
  return openRiggedTerminal({ ...o, transport: o.transport as StreamTransport | SerialTransport | undefined });
}

/** The card and how it is read, from --card / --pan / --track2, --entry, --pin, --emv. */
export function saleInputOf(values: OptionValues, amount: number): SaleInput {
  const given = ['card', 'pan', 'track2'].filter((n) => str(values, n) !== undefined);
  if (given.length > 1) throw new UsageError(`give one of --card, --pan, --track2 (got ${given.map((n) => `--${n}`).join(', ')})`);
  if (str(values, 'expiry') !== undefined && str(values, 'pan') === undefined) throw new UsageError('--expiry goes with --pan');
  let card: Card;
  const pan = str(values, 'pan');
  const track2 = str(values, 'track2');
  if (pan !== undefined) card = cardFromPan(pan, str(values, 'expiry'));
  else if (track2 !== undefined) card = cardFromTrack2(track2);
  else card = testCardNamed(str(values, 'card') ?? 'visa');
  const entry = str(values, 'entry') ?? (pan !== undefined ? 'manual' : 'chip');
  if (!(EntryModes as readonly string[]).includes(entry)) throw new UsageError(`--entry must be one of ${EntryModes.join(', ')}`);
  const input: SaleInput = { amount, card, entryMode: entry as EntryMode, emv: onOff(values, 'emv', true) };
  if (str(values, 'pin') !== undefined) input.pin = str(values, 'pin');
  if (values.offline === true) input.offline = true;
  return input;
}

export { TransportError };
