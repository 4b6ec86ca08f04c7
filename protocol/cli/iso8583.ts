#!/usr/bin/env node
// The one place in protocol/ that touches files and standard streams: the command-line entry point.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { dumpMessage } from '../dump.js';
import { parseHex } from '../encoding/hex.js';
import { ProtocolError, type ErrorCode } from '../errors.js';
import { messageToJson } from '../json.js';
import { codecFor, type MessageCodec } from '../message.js';
import { builtinSpecs, loadSpec } from '../spec/index.js';

const ExitCodes = { ok: 0, dataError: 1, usage: 2 } as const;

class UsageError extends Error {}

const specHelp = `--spec NAME|FILE   a built-in spec (${Object.keys(builtinSpecs).join(', ')}), a jPOS GenericPackager .xml file, or a .json spec`;

const commands = {
  decode: {
    usage: `iso8583 decode --spec NAME|FILE [--hex HEX | --file FILE] [--subfields]
iso8583 decode --jsonl

Decodes one message and prints it as JSON: {"mti":"0200","fields":{"2":"...","4":"000000001000"}}.
Without --hex or --file, reads hex from standard input.

  ${specHelp}
  --hex HEX          the message as hex (either case, spaces allowed)
  --file FILE        the message as raw bytes in a file
  --subfields        also break composite fields (55, 127, ...) into "subfields"
  --jsonl            read JSON lines {"spec":"iso87ascii","hex":"..."} from standard input and write one JSON line
                     per input: the decoded message, or {"error":{"code","field","offset","message"}}
  -h, --help         this help`,
    options: {
      spec: { type: 'string' },
      hex: { type: 'string' },
      file: { type: 'string' },
      subfields: { type: 'boolean' },
      jsonl: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  },
  encode: {
    usage: `iso8583 encode --spec NAME|FILE --json JSON [--pad]

Encodes a message given as JSON ({"mti":"0200","fields":{"3":"000000",...}}) and prints it as upper-case hex.
Binary fields are given as hex strings; composite fields may be given as objects of subfields.

  ${specHelp}
  --json JSON        the message; "-" reads it from standard input
  --pad              pad short fixed-length values as the spec says (zeros left for numbers, spaces right for text)
  -h, --help         this help`,
    options: {
      spec: { type: 'string' },
      json: { type: 'string' },
      pad: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  },
  dump: {
    usage: `iso8583 dump --spec NAME|FILE [--hex HEX | --file FILE] [--clear]

Prints a message as a table with field names, composite fields and EMV tags broken out. Card data (PAN, tracks,
PIN block, EMV data) is masked unless --clear is given.

  ${specHelp}
  --hex HEX          the message as hex; without --hex or --file, hex is read from standard input
  --file FILE        the message as raw bytes in a file
  --clear            show card data in clear (do not paste such output into tickets or logs)
  -h, --help         this help`,
    options: {
      spec: { type: 'string' },
      hex: { type: 'string' },
      file: { type: 'string' },
      clear: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  },
} as const satisfies Record<string, { usage: string; options: ParseArgsConfig['options'] }>;

type Command = keyof typeof commands;

const mainUsage = `iso8583 <command> [options]

Commands:
  decode   decode a message to JSON (or a stream of them with --jsonl)
  encode   encode a JSON message to hex
  dump     print a message as a masked, human table

Run "iso8583 <command> --help" for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainUsage + '\n');
    return name === undefined ? ExitCodes.usage : ExitCodes.ok;
  }
  if (!Object.hasOwn(commands, name)) throw new UsageError(`unknown command "${name}"\n\n${mainUsage}`);
  const command = commands[name as Command];
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: ParseArgsConfig['options'] = command.options;
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${command.usage}`);
  }
  if (values.help) {
    process.stdout.write(command.usage + '\n');
    return ExitCodes.ok;
  }
  if (name === 'decode' && values.jsonl) return decodeJsonLines();
  const codec = codecFor(loadSpec(required(values, 'spec'), (p: string) => readFileSync(p, 'utf8')));
  switch (name as Command) {
    case 'decode': {
      const msg = codec.decode(await input(values), { subfields: values.subfields === true });
      process.stdout.write(JSON.stringify(messageToJson(msg)) + '\n');
      return ExitCodes.ok;
    }
    case 'encode': {
      const text = required(values, 'json');
      const json = text === '-' ? await readStdin('utf8') : text;
      process.stdout.write(codec.encode(parseMessageJson(json), { pad: values.pad === true }).toString('hex').toUpperCase() + '\n');
      return ExitCodes.ok;
    }
    case 'dump': {
      const msg = codec.decode(await input(values));
      process.stdout.write(dumpMessage(codec, msg, { clear: values.clear === true }) + '\n');
      return ExitCodes.ok;
    }
  }
}

function required(values: Record<string, unknown>, option: string): string {
  const v = values[option];
  if (typeof v !== 'string' || v === '') throw new UsageError(`option "--${option}" is required (see --help)`);
  return v;
}

async function input(values: Record<string, unknown>): Promise<Buffer> {
  if (values.hex !== undefined && values.file !== undefined) throw new UsageError('give either --hex or --file, not both');
  if (typeof values.file === 'string') return readFileSync(values.file);
  const text = typeof values.hex === 'string' ? values.hex : await readStdin('utf8');
  return hexInput(text);
}

function hexInput(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  const bytes = parseHex(compact);
  if (typeof bytes === 'number') {
    throw new UsageError(bytes === compact.length ? 'the hex input has an odd number of digits' : `the hex input has a non-hex character at position ${bytes + 1}`);
  }
  return bytes;
}

function parseMessageJson(text: string): { mti: string; fields: Record<string, unknown> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--json is not valid JSON: ${(e as Error).message}`);
  }
  const m = parsed as { mti?: unknown; fields?: unknown };
  if (typeof m !== 'object' || m === null || typeof m.mti !== 'string' || typeof m.fields !== 'object' || m.fields === null) {
    throw new UsageError('--json must be an object {"mti":"0200","fields":{...}}');
  }
  return { mti: m.mti, fields: m.fields as Record<string, unknown> };
}

async function readStdin(encoding: BufferEncoding): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString(encoding);
}

/** One JSON line in, one JSON line out; output is written in batches so thousands of lines a second keep up. */
async function decodeJsonLines(): Promise<number> {
  const codecs = new Map<string, MessageCodec>();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let batch: string[] = [];
  let failures = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const ok = process.stdout.write(batch.join(''));
    batch = [];
    if (!ok) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  };
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let out: string;
    try {
      const req = JSON.parse(line) as { spec?: unknown; hex?: unknown };
      if (typeof req.spec !== 'string' || typeof req.hex !== 'string') throw new UsageError('each line needs "spec" and "hex" strings');
      let codec = codecs.get(req.spec);
      if (codec === undefined) {
        codec = codecFor(loadSpec(req.spec, (p: string) => readFileSync(p, 'utf8')));
        codecs.set(req.spec, codec);
      }
      out = JSON.stringify(messageToJson(codec.decode(hexInput(req.hex))));
    } catch (e) {
      failures++;
      out = JSON.stringify({ error: errorJson(e) });
    }
    batch.push(out + '\n');
    if (batch.length >= 256) await flush();
  }
  await flush();
  return failures === 0 ? ExitCodes.ok : ExitCodes.dataError;
}

function errorJson(e: unknown): { code: string; field?: string; offset?: number; message: string } {
  if (e instanceof ProtocolError) return { code: e.code, field: e.field, offset: e.offset, message: e.message };
  const code: ErrorCode = 'BAD_INPUT';
  if (e instanceof SyntaxError) return { code, message: `line is not JSON: ${e.message}` };
  return { code, message: (e as Error).message };
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof ProtocolError) {
      process.stderr.write(`iso8583: ${e.code}${e.mti ? ` (MTI ${e.mti})` : ''}: ${e.message}\n`);
      process.exitCode = ExitCodes.dataError;
    } else if (e instanceof UsageError) {
      process.stderr.write(`iso8583: ${e.message}\n`);
      process.exitCode = ExitCodes.usage;
    } else if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`iso8583: ${(e as Error).message}\n`);
      process.exitCode = ExitCodes.usage;
    } else {
      process.stderr.write(`iso8583: unexpected failure: ${(e as Error).message}\n`);
      process.exitCode = 3;
    }
  },
);
