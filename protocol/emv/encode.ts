import { ProtocolError } from '../errors.js';
import { MAX_TLV_LENGTH, lengthSize, writeLength } from './length.js';
import { checkEncodeOptions } from './options.js';
import { CONSTRUCTED, isPaddingByte, tagBytesOfKey } from './tag.js';
import type { EncodeTlvOptions, TlvInput, TlvValueInput } from './types.js';

/** One object ready to write: its tag bytes, its value (bytes or the next level) and the value's byte count. */
interface Node {
  tag: Buffer;
  /** A padding run ("00"/"FF" key): written as the bare bytes, no tag or length. */
  padding: boolean;
  value: Buffer | Node[];
  size: number;
}

/**
 * Encodes a TlvMap (or a plain object of tag -> bytes / hex / next level) as BER-TLV with minimal lengths, in the
 * input's order. "TAG#n" keys write TAG again. A constructed tag given bytes writes them as its content unchanged.
 * Re-encoding a decoded map gives the input bytes back whenever the input used minimal lengths.
 */
export function encodeTlv(input: TlvInput, opts: EncodeTlvOptions = {}): Buffer {
  const { maxDepth } = checkEncodeOptions(opts);
  const nodes = toNodes(input, 0, undefined, maxDepth);
  const out = Buffer.allocUnsafe(levelSize(nodes));
  writeNodes(nodes, out, 0);
  return out;
}

function toNodes(input: TlvInput, depth: number, parent: string | undefined, maxDepth: number): Node[] {
  const entries = input instanceof Map ? [...input.entries()] : Object.entries(input);
  return entries.map(([key, value]) => {
    const field = parent === undefined ? key : `${parent}.${key}`;
    const tag = tagBytesOfKey(key, field);
    if (tag.length === 1 && isPaddingByte(tag[0])) return paddingNode(tag, value, field);
    if (isLevel(value)) {
      if ((tag[0] & CONSTRUCTED) === 0) {
        throw new ProtocolError('WRONG_TYPE', 'a primitive tag is given nested objects', { field });
      }
      if (depth >= maxDepth) {
        throw new ProtocolError('TLV_TOO_DEEP', `templates nest deeper than ${maxDepth}`, { field });
      }
      const children = toNodes(value, depth + 1, field, maxDepth);
      return checkSize({ tag, padding: false, value: children, size: levelSize(children) }, field);
    }
    const bytes = toBytes(value, field);
    return checkSize({ tag, padding: false, value: bytes, size: bytes.length }, field);
  });
}

function paddingNode(tag: Buffer, value: TlvValueInput, field: string): Node {
  const bytes = isLevel(value) ? undefined : toBytes(value, field);
  if (bytes === undefined || bytes.length === 0 || bytes.some((b) => b !== tag[0])) {
    throw new ProtocolError('TLV_BAD_TAG', 'a padding key must hold one or more of its own padding byte', { field });
  }
  return { tag, padding: true, value: bytes, size: bytes.length };
}

function checkSize(node: Node, field: string): Node {
  if (node.size > MAX_TLV_LENGTH) {
    throw new ProtocolError('VALUE_TOO_LONG', `a value of ${node.size} bytes does not fit a BER-TLV length`, { field });
  }
  return node;
}

function isLevel(value: TlvValueInput): value is TlvInput {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value);
}

const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

function toBytes(value: unknown, field: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') {
    if (!HEX.test(value)) {
      throw new ProtocolError('INVALID_CHARACTER', 'a string value must be hex with an even number of digits', {
        field,
      });
    }
    return Buffer.from(value, 'hex');
  }
  throw new ProtocolError('WRONG_TYPE', 'a value must be a Buffer, a hex string or (constructed tags) a map', {
    field,
  });
}

function nodeSize(node: Node): number {
  return node.padding ? node.size : node.tag.length + lengthSize(node.size) + node.size;
}

function levelSize(nodes: Node[]): number {
  let total = 0;
  for (const node of nodes) total += nodeSize(node);
  return total;
}

function writeNodes(nodes: Node[], out: Buffer, off: number): number {
  let pos = off;
  for (const node of nodes) {
    if (!node.padding) {
      pos += node.tag.copy(out, pos);
      pos = writeLength(node.size, out, pos);
    }
    pos = Array.isArray(node.value) ? writeNodes(node.value, out, pos) : pos + node.value.copy(out, pos);
  }
  return pos;
}
