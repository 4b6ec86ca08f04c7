/**
 * An open-addressing multimap from a 32-bit hash to slots of a table (linear probing, tombstones). It holds no keys:
 * the caller checks each candidate slot against its own columns. Each cell is two int32s side by side (slot + 1, then
 * the hash), so a probe touches one cache line. Walk the candidates of a hash with
 *   for (let p = index.first(h); p !== -1; p = index.next(h, p)) { const slot = index.slotAt(p); ... }
 */
export class SlotIndex {
  /** [slot + 1 (0 empty, -1 deleted), hash] per cell. */
  private cells: Int32Array;
  private mask: number;
  private used = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.cells = new Int32Array(cap * 2);
    this.mask = cap - 1;
  }

  add(hash: number, slot: number): void {
    if ((this.used + 1) * 2 > this.mask + 1) this.grow();
    this.put(hash, slot);
  }

  private put(hash: number, slot: number): void {
    const cells = this.cells;
    const mask = this.mask;
    let p = hash & mask;
    while (cells[p << 1] > 0) p = (p + 1) & mask;
    if (cells[p << 1] === 0) this.used++;
    cells[p << 1] = slot + 1;
    cells[(p << 1) + 1] = hash;
  }

  remove(hash: number, slot: number): void {
    for (let p = this.first(hash); p !== -1; p = this.next(hash, p)) {
      if (this.cells[p << 1] === slot + 1) {
        this.cells[p << 1] = -1;
        return;
      }
    }
  }

  first(hash: number): number {
    return this.scan(hash, hash & this.mask);
  }

  next(hash: number, p: number): number {
    return this.scan(hash, (p + 1) & this.mask);
  }

  slotAt(p: number): number {
    return this.cells[p << 1] - 1;
  }

  private scan(hash: number, p: number): number {
    const cells = this.cells;
    const mask = this.mask;
    for (;;) {
      const c = cells[p << 1];
      if (c === 0) return -1;
      if (c > 0 && cells[(p << 1) + 1] === hash) return p;
      p = (p + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.cells;
    this.cells = new Int32Array(old.length * 2);
    this.mask = old.length - 1;
    this.used = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] > 0) this.put(old[i + 1], old[i] - 1);
  }
}

/** A growable list of slots. */
export class SlotList {
  private items = new Int32Array(64);
  length = 0;

  push(slot: number): void {
    if (this.length === this.items.length) {
      const more = new Int32Array(this.items.length * 2);
      more.set(this.items);
      this.items = more;
    }
    this.items[this.length++] = slot;
  }

  at(i: number): number {
    return this.items[i];
  }

  clear(): void {
    this.length = 0;
  }
}

/** Slots marked for another look, each listed once until cleared. */
export class DirtySet {
  private marks = new Uint8Array(1024);
  readonly list = new SlotList();

  add(slot: number): void {
    if (slot >= this.marks.length) {
      let n = this.marks.length;
      while (n <= slot) n *= 2;
      const more = new Uint8Array(n);
      more.set(this.marks);
      this.marks = more;
    }
    if (this.marks[slot] === 1) return;
    this.marks[slot] = 1;
    this.list.push(slot);
  }

  get size(): number {
    return this.list.length;
  }

  at(i: number): number {
    return this.list.at(i);
  }

  has(slot: number): boolean {
    return slot < this.marks.length && this.marks[slot] === 1;
  }

  clear(): void {
    for (let i = 0; i < this.list.length; i++) this.marks[this.list.at(i)] = 0;
    this.list.clear();
  }
}

/** One byte per slot, growing on demand. */
export class SlotBytes {
  private bytes = new Uint8Array(1024);

  get(slot: number): number {
    return slot < this.bytes.length ? this.bytes[slot] : 0;
  }

  set(slot: number, v: number): void {
    if (slot >= this.bytes.length) {
      let n = this.bytes.length;
      while (n <= slot) n *= 2;
      const more = new Uint8Array(n);
      more.set(this.bytes);
      this.bytes = more;
    }
    this.bytes[slot] = v;
  }
}

/** One int32 per slot (0 until set), growing on demand. */
export class SlotInts {
  private ints = new Int32Array(1024);

  get(slot: number): number {
    return slot < this.ints.length ? this.ints[slot] : 0;
  }

  set(slot: number, v: number): void {
    if (slot >= this.ints.length) {
      let n = this.ints.length;
      while (n <= slot) n *= 2;
      const more = new Int32Array(n);
      more.set(this.ints);
      this.ints = more;
    }
    this.ints[slot] = v;
  }
}
