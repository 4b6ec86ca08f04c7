/** DES block size in bytes: every MAC input is padded to a multiple of it. */
export const MAC_BLOCK = 8;

/**
 * ISO/IEC 9797-1 padding methods.
 * - zeros: method 1, 0x00 bytes up to a block boundary (none when already aligned; empty data becomes one zero
 *   block). The X9.9 / X9.19 default.
 * - iso9797-2: method 2, a 0x80 byte then 0x00 bytes (always adds at least one byte, so aligned data gains a
 *   whole block). Same as ISO/IEC 7816-4 padding.
 */
export const MacPaddings = ['zeros', 'iso9797-2'] as const;
export type MacPadding = (typeof MacPaddings)[number];

/** A fresh buffer: the data followed by its padding, a non-zero multiple of `MAC_BLOCK` bytes. */
export function padForMac(data: Uint8Array, padding: MacPadding): Buffer {
  const marked = padding === 'iso9797-2' ? data.length + 1 : data.length;
  const blocks = Math.max(1, Math.ceil(marked / MAC_BLOCK));
  const out = Buffer.alloc(blocks * MAC_BLOCK);
  out.set(data, 0);
  if (padding === 'iso9797-2') out[data.length] = 0x80;
  return out;
}
