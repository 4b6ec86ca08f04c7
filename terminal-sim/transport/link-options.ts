import { readFileSync } from 'node:fs';
import { LengthHeaders, builtinSpecs, loadSpec, type LengthHeaderKind, type MessageSpec, type Tpdu, tpdu } from '../../protocol/index.js';

/** The length headers a terminal link uses (binary4 is a host-link framing, not offered here). */
export const TerminalHeaders = ['binary2', 'ascii4', 'bcd2'] as const;
export type TerminalHeader = (typeof TerminalHeaders)[number];

/** The gateway's terminal link profile, and the variations its listeners accept. */
export interface LinkOptions {
  header: TerminalHeader;
  /** The TPDU written in front of each message, or null for none. */
  tpdu: Tpdu | null;
  spec: MessageSpec;
  /** Largest frame accepted from the peer. */
  maxFrameSize: number;
}

export const linkDefaults = {
  header: 'binary2',
  /** Destination NII 001 (the gateway), source NII 000 (this terminal): the usual dial-up and IP defaults. */
  tpdu: tpdu(0x0001, 0x0000),
  spec: 'iso87binary',
  maxFrameSize: 8192,
} as const;

export interface LinkOptionsInput {
  header?: string;
  /** false for no TPDU; otherwise the NIIs, default destination 0x0001, source 0x0000. */
  tpdu?: false | { destination?: number; source?: number };
  /** A built-in spec name (iso87binary, iso87ascii, iso93ascii) or a JSON / jPOS XML spec file. */
  spec?: string | MessageSpec;
  maxFrameSize?: number;
}

/** Checks the link options once, up front, naming the option. */
export function resolveLinkOptions(input: LinkOptionsInput = {}): LinkOptions {
  const header = input.header ?? linkDefaults.header;
  if (!(TerminalHeaders as readonly string[]).includes(header) || !Object.hasOwn(LengthHeaders, header)) {
    throw new TypeError(`"header" must be one of ${TerminalHeaders.join(', ')}`);
  }
  let t: Tpdu | null = linkDefaults.tpdu;
  if (input.tpdu === false) t = null;
  else if (input.tpdu !== undefined) {
    t = tpdu(input.tpdu.destination ?? linkDefaults.tpdu.destination, input.tpdu.source ?? linkDefaults.tpdu.source);
  }
  const spec = typeof input.spec === 'object' ? input.spec : specByName(input.spec ?? linkDefaults.spec);
  const maxFrameSize = input.maxFrameSize ?? linkDefaults.maxFrameSize;
  if (!Number.isSafeInteger(maxFrameSize) || maxFrameSize < 64 || maxFrameSize > 0xffff) {
    throw new TypeError('"maxFrameSize" must be an integer from 64 to 65535');
  }
  return { header: header as LengthHeaderKind & TerminalHeader, tpdu: t, spec, maxFrameSize };
}

function specByName(name: string): MessageSpec {
  if (Object.hasOwn(builtinSpecs, name)) return builtinSpecs[name as keyof typeof builtinSpecs];
  if (!/\.(json|xml)$/i.test(name)) {
    throw new TypeError(`"spec" must be one of ${Object.keys(builtinSpecs).join(', ')} or a .json / .xml spec file`);
  }
  return loadSpec(name, (path) => readFileSync(path));
}

/** "001" or "0x0001" -> 1: NIIs are written as up to four hex digits (their two bytes). */
export function parseNii(s: string, name: string): number {
  const m = /^(?:0x)?([0-9a-fA-F]{1,4})$/.exec(s);
  if (m === null) throw new TypeError(`"${name}" must be up to four hex digits (e.g. 001)`);
  return parseInt(m[1], 16);
}
