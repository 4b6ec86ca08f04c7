/**
 * Message specs: the built-in jPOS-compatible tables, our JSON format and jPOS GenericPackager XML. This module does
 * no I/O: loading a file takes the caller's reader (the CLI passes fs.readFileSync).
 */
import { ProtocolError, isProtocolError } from '../errors.js';
import { iso87ascii } from './iso87ascii.js';
import { iso87binary } from './iso87binary.js';
import { iso93ascii } from './iso93ascii.js';
import { importJposXml } from './jpos-xml.js';
import type { MessageSpec } from './types.js';
import { validateSpec } from './validate.js';

export * from './types.js';
export { validateSpec } from './validate.js';
export { importJposXml } from './jpos-xml.js';
export { iso87ascii, iso87binary, iso93ascii };

export const builtinSpecs = { iso87ascii, iso87binary, iso93ascii } as const;
export type BuiltinSpecName = keyof typeof builtinSpecs;

/** Reads a file's content; a Buffer / Uint8Array is decoded as UTF-8, so `fs.readFileSync` works as it is. */
export type SpecFileReader = (path: string) => string | Uint8Array;

/**
 * A built-in spec by name, or a spec file: `.json` (our format, validated) or `.xml` (a jPOS GenericPackager).
 * Errors are SPEC_INVALID and name the file; errors thrown by `readFile` itself pass through unchanged.
 */
export function loadSpec(nameOrPath: string, readFile?: SpecFileReader): MessageSpec {
  if (Object.hasOwn(builtinSpecs, nameOrPath)) return builtinSpecs[nameOrPath as BuiltinSpecName];

  const kind = /\.json$/i.test(nameOrPath) ? 'json' : /\.xml$/i.test(nameOrPath) ? 'xml' : null;
  if (kind === null) {
    throw new ProtocolError(
      'SPEC_INVALID',
      `unknown spec "${nameOrPath}": use one of ${Object.keys(builtinSpecs).join(', ')}, or a path ending in .json or .xml`,
    );
  }
  if (readFile === undefined) {
    throw new ProtocolError('SPEC_INVALID', `${nameOrPath}: loading a spec file needs a file reader`);
  }
  const content = readFile(nameOrPath);
  const text = typeof content === 'string' ? content : new TextDecoder('utf-8').decode(content);

  try {
    if (kind === 'xml') return importJposXml(text, baseName(nameOrPath));
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new ProtocolError('SPEC_INVALID', `not valid JSON (${(e as Error).message})`);
    }
    return validateSpec(parsed);
  } catch (e) {
    if (isProtocolError(e)) throw new ProtocolError(e.code, `${nameOrPath}: ${e.detail}`);
    throw e;
  }
}

function baseName(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  return file.replace(/\.xml$/i, '') || 'jpos';
}
