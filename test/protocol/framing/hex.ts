/** Readable hex fixtures: "00 0a 60 00 03" -> bytes. */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

export function toHex(b: Buffer): string {
  return b.toString('hex');
}
