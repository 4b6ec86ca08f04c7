export { decodeTlv } from './decode.js';
export { encodeTlv } from './encode.js';
export { describeTlv } from './describe.js';
export type { DescribeTlvOptions, TlvRow } from './describe.js';
export { EmvTags, emvTagInfo, isSensitiveTag } from './tags.js';
export type { EmvFormat, EmvTagInfo } from './tags.js';
export { isConstructedTag, tagOfKey } from './tag.js';
export { TlvDefaults, TlvPaddings } from './types.js';
export type { DecodeTlvOptions, EncodeTlvOptions, TlvInput, TlvMap, TlvPadding, TlvValueInput } from './types.js';
