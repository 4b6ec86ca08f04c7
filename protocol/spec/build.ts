/**
 * Small constructors that let the built-in specs read as tables. They only assemble `FieldSpec` data; every
 * built-in spec still goes through `validateSpec`.
 */
import type { DataEncoding, FieldSpec, PadSpec, PrefixSpec, Sensitivity, ValueClass } from './types.js';

export const Pad = {
  /** IFA_NUMERIC / IFE_NUMERIC zero-fill on the left; for BCD (jPOS pad="true") the filler nibble goes first. */
  zeroLeft: { side: 'left', char: '0' },
  /** BCD with jPOS pad="false" (or no pad attribute): the filler nibble goes last. */
  zeroRight: { side: 'right', char: '0' },
  /** IF_CHAR / IFE_CHAR space-fill on the right. */
  spaceRight: { side: 'right', char: ' ' },
} as const satisfies Record<string, PadSpec>;

type Extra = Pick<FieldSpec, 'pad' | 'counts' | 'sensitive'>;

export function fixed(cls: ValueClass, encoding: DataEncoding, length: number, name: string, extra: Extra = {}): FieldSpec {
  return { name, class: cls, encoding, length, ...extra };
}

export function variable(
  cls: ValueClass,
  encoding: DataEncoding,
  length: number,
  name: string,
  prefix: PrefixSpec,
  extra: Extra = {},
): FieldSpec {
  return { name, class: cls, encoding, length, prefix, ...extra };
}

export function sensitive(kind: Sensitivity, field: FieldSpec): FieldSpec {
  return { ...field, sensitive: kind };
}

/** The same field description for every number from `first` to `last`, e.g. a run of reserved fields. */
export function run(first: number, last: number, make: () => FieldSpec): Record<string, FieldSpec> {
  const out: Record<string, FieldSpec> = {};
  for (let id = first; id <= last; id++) out[String(id)] = make();
  return out;
}
