import { ProtocolError } from '../errors.js';
import type { IsoMessage, MessageCodec, MessageInput } from '../message.js';
import { MAC_BLOCK } from './padding.js';
import { retailMac, verifyMac } from './retail.js';

/**
 * The MAC of a whole message: ISO 8583 carries it in field 64, or in 128 when the secondary bitmap is present, as
 * the last field; it covers every byte packed before it. The padding method is the spec's (`mac.padding`).
 */
function macField(codec: MessageCodec, fields: Record<number, unknown>): number {
  if (codec.spec.mac?.field !== undefined) return codec.spec.mac.field;
  for (const k in fields) if (Number(k) > 64 && Number(k) !== 128 && fields[k as unknown as number] != null) return 128;
  return 64;
}

function macBytes(codec: MessageCodec, n: number): number {
  const f = codec.field(n);
  if (f === undefined || f.prefix !== null || !f.binary || f.length !== MAC_BLOCK) {
    throw new ProtocolError('SPEC_INVALID', 'a MAC field must be fixed-length binary of 8 bytes', { field: String(n) });
  }
  return f.body.size(MAC_BLOCK);
}

function lastField(fields: Record<number, unknown>): number {
  let last = 0;
  for (const k in fields) if (fields[k as unknown as number] != null) last = Math.max(last, Number(k));
  return last;
}

/** Packs `msg` with its MAC computed under `key` (16 bytes: X9.19 retail MAC; 8 bytes: X9.9). */
export function encodeWithMac(codec: MessageCodec, msg: MessageInput, key: Uint8Array): Buffer {
  const n = macField(codec, msg.fields);
  const size = macBytes(codec, n);
  const fields = { ...msg.fields, [n]: Buffer.alloc(MAC_BLOCK) };
  if (lastField(fields) !== n) throw new ProtocolError('SPEC_INVALID', 'the MAC field must be the last field of the message', { field: String(n), mti: msg.mti });
  const packed = codec.encode({ mti: msg.mti, fields });
  const mac = retailMac(key, packed.subarray(0, packed.length - size), { padding: codec.spec.mac?.padding ?? 'zeros' });
  // the MAC field is last: overwrite its placeholder in place
  codec.field(n)!.body.write(mac, MAC_BLOCK, packed, packed.length - size);
  return packed;
}

/** Checks the MAC of a packed message that `codec.decode` gave `msg` for; throws MAC_FIELD_MISSING or MAC_MISMATCH. */
export function verifyMessageMac(codec: MessageCodec, packed: Buffer, msg: IsoMessage, key: Uint8Array): void {
  const n = macField(codec, msg.fields);
  const mac = msg.fields[n];
  if (mac === undefined) throw new ProtocolError('MAC_FIELD_MISSING', 'the message carries no MAC', { field: String(n), mti: msg.mti });
  const size = macBytes(codec, n);
  if (lastField(msg.fields) !== n || typeof mac === 'string') {
    throw new ProtocolError('MAC_MISMATCH', 'the MAC field is not the last field', { field: String(n), mti: msg.mti });
  }
  const ok = verifyMac(key, packed.subarray(0, packed.length - size), mac, { padding: codec.spec.mac?.padding ?? 'zeros' });
  if (!ok) throw new ProtocolError('MAC_MISMATCH', 'the MAC does not match the message', { field: String(n), mti: msg.mti, offset: packed.length - size });
}
