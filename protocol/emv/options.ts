import { TLV_MAX_DEPTH_LIMIT, TlvDefaults, TlvPaddings } from './types.js';
import type { DecodeTlvOptions, EncodeTlvOptions, TlvPadding } from './types.js';

export function checkMaxDepth(v: unknown): number {
  if (v === undefined) return TlvDefaults.maxDepth;
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > TLV_MAX_DEPTH_LIMIT) {
    throw new TypeError(`"maxDepth" must be an integer from 0 to ${TLV_MAX_DEPTH_LIMIT}`);
  }
  return v as number;
}

export function checkDecodeOptions(opts: DecodeTlvOptions): Required<DecodeTlvOptions> {
  const { padding = TlvDefaults.padding, maxBytes = TlvDefaults.maxBytes } = opts;
  if (!TlvPaddings.includes(padding as TlvPadding)) {
    throw new TypeError(`"padding" must be one of ${TlvPaddings.join(', ')}`);
  }
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new TypeError('"maxBytes" must be a non-negative integer');
  return { padding, maxBytes, maxDepth: checkMaxDepth(opts.maxDepth) };
}

export function checkEncodeOptions(opts: EncodeTlvOptions): Required<EncodeTlvOptions> {
  return { maxDepth: checkMaxDepth(opts.maxDepth) };
}
