import { DeviceError } from './errors.js';
import { tdesEcb } from './keys.js';

/**
 * ISO 9564-1 format 0 (ANSI X9.8) clear PIN block: the PIN field 0 | length | PIN | F padding, XOR the PAN field
 * 0000 | the 12 rightmost PAN digits excluding the check digit.
 */
export function pinBlockFormat0(pin: string, pan: string): Buffer {
  if (!/^\d{4,12}$/.test(pin)) throw new DeviceError('BAD_PIN', '--pin must be 4 to 12 digits');
  if (!/^\d{13,19}$/.test(pan)) throw new DeviceError('BAD_CARD', 'a PIN block needs a PAN of 13 to 19 digits');
  const pinField = Buffer.from(`0${pin.length.toString(16)}${pin}`.padEnd(16, 'F'), 'hex');
  const panField = Buffer.from(`0000${pan.slice(-13, -1)}`, 'hex');
  for (let i = 0; i < 8; i++) pinField[i] ^= panField[i];
  return pinField;
}

/** Field 52: the format 0 block encrypted under the terminal PIN key. */
export function encryptedPinBlock(pin: string, pan: string, tpk: string): Buffer {
  return tdesEcb(tpk, pinBlockFormat0(pin, pan));
}

/** The PIN inside an encrypted format 0 block (what an HSM does on the host side; for tests). */
export function decryptPinBlock(block: Buffer, pan: string, tpk: string): string {
  const clear = tdesEcb(tpk, block, 'decrypt');
  const panField = Buffer.from(`0000${pan.slice(-13, -1)}`, 'hex');
  for (let i = 0; i < 8; i++) clear[i] ^= panField[i];
  const hex = clear.toString('hex').toUpperCase();
  const len = parseInt(hex[1], 16);
  if (hex[0] !== '0' || len < 4 || len > 12) throw new DeviceError('BAD_PIN', 'not a format 0 PIN block under this key');
  return hex.slice(2, 2 + len);
}
