/**
 * Keys as numbers. A million sales hold millions of short key strings (RRN, auth code, STAN, terminal id); as
 * numbers in typed arrays they cost 8 bytes each, compare with ===, hash without a string, and the garbage collector
 * never walks them. Every string maps to exactly one integer below 2^53 and back:
 *   0                      null or empty
 *   1 .. 11^15-1           up to 15 digits, base 11 (digit d is d+1, so leading zeros count)
 *   -(37^10-1) .. -1       up to 10 characters of 0-9 A-Z with a letter, base 37
 *   11^15 + n              anything else, by its order of first sight (an interned string)
 */
const DIGITS_LIMIT = 11 ** 15;

export class KeyCodec {
  private readonly odd = new Map<string, number>();
  private readonly oddValues: string[] = [];

  encode(s: string | null | undefined): number {
    if (s == null || s.length === 0) return 0;
    const n = s.length;
    if (n <= 15) {
      let v = 0;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c < 48 || c > 57) break;
        v = v * 11 + (c - 47);
      }
      if (i === n) return v;
    }
    if (n <= 10) {
      let v = 0;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 48 && c <= 57) v = v * 37 + (c - 47);
        else if (c >= 65 && c <= 90) v = v * 37 + (c - 54);
        else break;
      }
      if (i === n) return -v;
    }
    let code = this.odd.get(s);
    if (code === undefined) {
      code = DIGITS_LIMIT + this.oddValues.length;
      this.odd.set(s, code);
      this.oddValues.push(s);
    }
    return code;
  }

  /** The code of a string without adding it: NaN (equal to nothing) for an odd string never seen. */
  peek(s: string): number {
    const v = this.odd.get(s);
    if (v !== undefined) return v;
    const n = s.length;
    if (n > 15 || !/^[0-9A-Z]*$/.test(s) || (n > 10 && !/^[0-9]*$/.test(s))) return Number.NaN;
    return this.encode(s);
  }

  decode(v: number): string | null {
    if (v === 0) return null;
    if (v >= DIGITS_LIMIT) return this.oddValues[v - DIGITS_LIMIT];
    let s = '';
    if (v > 0) {
      for (; v > 0; v = Math.floor(v / 11)) s = String.fromCharCode(47 + (v % 11)) + s;
      return s;
    }
    for (v = -v; v > 0; v = Math.floor(v / 37)) {
      const d = v % 37;
      s = String.fromCharCode(d <= 10 ? 47 + d : 54 + d) + s;
    }
    return s;
  }
}

/** Small sets of values (currencies, MTIs, acquirer ids, report ids) as dense codes 0, 1, 2... */
export class Interner {
  private readonly codes = new Map<string, number>();
  readonly values: string[] = [];

  code(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.codes.set(s, c);
      this.values.push(s);
    }
    return c;
  }

  /** The code of a value already seen, else -1 (a lookup that must not grow the table). */
  find(s: string): number {
    return this.codes.get(s) ?? -1;
  }
}

/** The last string encoded at one call site and its code: records in a row share terminal, merchant, batch, date. */
export class LastKey {
  private s: string | null | undefined = null;
  private v = 0;

  constructor(private readonly codec: KeyCodec) {}

  encode(s: string | null | undefined): number {
    if (s === this.s) return this.v;
    this.s = s;
    return (this.v = this.codec.encode(s));
  }
}

/** The same for an Interner. */
export class LastCode {
  private s: string | null = null;
  private v = -1;

  constructor(private readonly interner: Interner) {}

  code(s: string): number {
    if (s === this.s) return this.v;
    this.s = s;
    return (this.v = this.interner.code(s));
  }
}

/** 32-bit mix (murmur3 finalizer). */
export function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * Hash of keys that usually come in sequence (journal ids, the gateway's RRNs, auth codes): the low bits unmixed, so
 * neighbours land in neighbouring cells and a run of lookups walks memory in order instead of missing the cache.
 */
export function seqHash(v: number): number {
  return (v | 0) ^ Math.imul((v / 4294967296) | 0, 0x9e3779b1);
}

/** The terminal key of a receipt or journal entry: terminal, batch, local date, STAN (never STAN alone). */
export function hashTerminalKey(terminal: number, batch: number, date: number, stan: number): number {
  let h = (terminal | 0) ^ Math.imul((terminal / 4294967296) | 0, 0x9e3779b1);
  h = Math.imul(h, 0x01000193) ^ (batch | 0) ^ Math.imul((batch / 4294967296) | 0, 0x85ebca6b);
  h = Math.imul(h, 0x01000193) ^ (date | 0) ^ Math.imul((date / 4294967296) | 0, 0xc2b2ae35);
  h = Math.imul(h, 0x01000193) ^ (stan | 0) ^ Math.imul((stan / 4294967296) | 0, 0x27d4eb2f);
  return mix(h);
}
