export { retailMac, cbcMac, verifyMac } from './retail.js';
export type { MacOptions } from './options.js';
export { MIN_MAC_LENGTH } from './options.js';
export { MacPaddings, MAC_BLOCK, padForMac } from './padding.js';
export type { MacPadding } from './padding.js';
export { encodeWithMac, verifyMessageMac } from './message.js';
