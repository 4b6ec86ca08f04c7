import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { DeviceError } from './errors.js';
import type { KeySet } from './keys.js';

/** What the journal keeps of a card for the 0320 upload and later advices: never track data, never a PIN block. */
export interface StoredCard {
  pan: string;
  /** YYMM. */
  expiry: string;
}

/**
 * Card data at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the terminal's key set, or from a data key
 * the user gives, with the terminal id as salt, so two terminals never share a key. The terminal id is the
 * additional authenticated data: a sealed card copied into another terminal's journal does not open.
 */
export interface CardVault {
  seal(card: StoredCard): string;
  open(sealed: string): StoredCard;
  /** Stored in the journal: a journal opened under another key is refused at once, not at the first upload. */
  readonly keyCheck: string;
}

/** "v1:" + base64 of IV (12 bytes) | tag (16 bytes) | ciphertext of "PAN=YYMM". */
const FORMAT = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const INFO = 'terminal-sim journal card data v1';

/** A data key from the user: 64 hex digits (32 bytes). */
export function parseDataKey(text: string, name = 'data key'): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new DeviceError('BAD_IDENTITY', `the ${name} must be 64 hex digits (32 bytes)`);
  return Buffer.from(hex, 'hex');
}

export function cardVault(terminalId: string, keys: KeySet, dataKey?: Buffer): CardVault {
  if (dataKey !== undefined && dataKey.length !== 32) throw new DeviceError('BAD_IDENTITY', 'the data key must be 32 bytes');
  const ikm = dataKey ?? Buffer.from(keys.tpk + keys.tak, 'hex');
  const key = Buffer.from(hkdfSync('sha256', ikm, Buffer.from(terminalId), INFO, 32));
  const aad = Buffer.from(terminalId);
  return {
    keyCheck: createHmac('sha256', key).update('key check').digest('hex').slice(0, 12),
    seal(card) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      const body = Buffer.concat([cipher.update(`${card.pan}=${card.expiry}`, 'utf8'), cipher.final()]);
      return FORMAT + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      const raw = sealed.startsWith(FORMAT) ? Buffer.from(sealed.slice(FORMAT.length), 'base64') : Buffer.alloc(0);
      if (raw.length <= IV_BYTES + TAG_BYTES) throw new DeviceError('JOURNAL_CORRUPT', 'a sealed card in the journal is malformed');
      let text: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(aad);
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new DeviceError('DATA_KEY_MISMATCH', 'a sealed card in the journal does not open under this terminal\'s data key');
      }
      const m = /^(\d{12,19})=(\d{4})$/.exec(text);
      if (m === null) throw new DeviceError('JOURNAL_CORRUPT', 'a sealed card in the journal is malformed');
      return { pan: m[1], expiry: m[2] };
    },
  };
}
