import { SerialLink, type LinkAction, type SerialLinkOptions } from '../../../../protocol/framing/index.js';

/** A fault the line applies to one write: return the bytes as they arrive (or null: lost). */
export type Fault = (write: Extract<LinkAction, { type: 'write' }>, from: Side) => Buffer | null;

export interface Delivery {
  payload: Buffer;
  repeat: boolean;
  at: number;
}

export interface Settled {
  id: number;
  outcome: 'sent' | 'failed';
  reason?: string;
  attempts: number;
}

/** One end of the line: a link, its timer, and what it delivered and settled. */
export class Side {
  readonly link: SerialLink;
  timer: number | null = null;
  readonly delivered: Delivery[] = [];
  readonly settled: Settled[] = [];
  readonly writes: Extract<LinkAction, { type: 'write' }>[] = [];
  peer!: Side;

  constructor(
    readonly name: string,
    options: SerialLinkOptions,
    readonly line: Line,
  ) {
    this.link = new SerialLink(options);
  }

  send(payload: Buffer): number {
    const { id, actions } = this.link.send(payload, this.line.now);
    this.run(actions);
    return id;
  }

  run(actions: LinkAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'write':
          this.writes.push(a);
          this.line.transmit(this, a);
          break;
        case 'deliver':
          this.delivered.push({ payload: Buffer.from(a.payload), repeat: a.repeat, at: this.line.now });
          break;
        case 'sent':
          this.settled.push({ id: a.id, outcome: 'sent', attempts: a.attempts });
          break;
        case 'failed':
          this.settled.push({ id: a.id, outcome: 'failed', reason: a.reason, attempts: a.attempts });
          break;
        case 'timer':
          this.timer = a.at;
          break;
      }
    }
  }
}

interface InTransit {
  at: number;
  to: Side;
  bytes: Buffer;
  seq: number;
}

export interface LineOptions {
  /** Milliseconds from a write to its first byte arriving. Default 5. */
  latencyMs?: number;
  /** Splits a write into chunks arriving some milliseconds apart, as a UART and a USB adapter do. */
  chunk?: (bytes: Buffer) => { bytes: Buffer; delayMs: number }[];
  fault?: Fault;
}

/**
 * Two SerialLinks joined by a simulated line with a fake clock: each direction delivers bytes in order, after a
 * latency, possibly split into chunks; a fault may change or drop a write. `run` advances the clock from event to
 * event (arrivals and the links' timers) until nothing is left to do.
 */
export class Line {
  now = 0;
  readonly a: Side;
  readonly b: Side;
  #transit: InTransit[] = [];
  #seq = 0;
  /** Per receiving side, when the last queued chunk arrives: a direction never reorders bytes. */
  #lastArrival = new Map<Side, number>();

  constructor(
    options: SerialLinkOptions = {},
    readonly lineOptions: LineOptions = {},
  ) {
    this.a = new Side('a', options, this);
    this.b = new Side('b', options, this);
    this.a.peer = this.b;
    this.b.peer = this.a;
  }

  transmit(from: Side, write: Extract<LinkAction, { type: 'write' }>): void {
    const bytes = this.lineOptions.fault ? this.lineOptions.fault(write, from) : write.bytes;
    if (bytes === null || bytes.length === 0) return;
    const to = from.peer;
    const chunks = this.lineOptions.chunk ? this.lineOptions.chunk(bytes) : [{ bytes, delayMs: 0 }];
    let at = Math.max(this.now + (this.lineOptions.latencyMs ?? 5), this.#lastArrival.get(to) ?? 0);
    for (const c of chunks) {
      at += c.delayMs;
      this.#transit.push({ at, to, bytes: Buffer.from(c.bytes), seq: this.#seq++ });
    }
    this.#lastArrival.set(to, at);
  }

  /** Delivers bytes and fires timers in time order until nothing is pending or `until` is reached. */
  run(until = Infinity): void {
    for (let steps = 0; steps < 1_000_000; steps++) {
      const next = this.#nextEvent();
      if (next === null || next > until) {
        if (until !== Infinity) this.now = Math.max(this.now, until);
        return;
      }
      this.now = Math.max(this.now, next);
      const arrivals = this.#transit.filter((t) => t.at <= this.now).sort((x, y) => x.at - y.at || x.seq - y.seq);
      this.#transit = this.#transit.filter((t) => t.at > this.now);
      for (const t of arrivals) t.to.run(t.to.link.receive(t.bytes, this.now));
      for (const side of [this.a, this.b]) {
        if (side.timer !== null && side.timer <= this.now) side.run(side.link.tick(this.now));
      }
    }
    throw new Error('the line did not settle');
  }

  #nextEvent(): number | null {
    let next: number | null = null;
    for (const t of this.#transit) next = next === null ? t.at : Math.min(next, t.at);
    for (const side of [this.a, this.b]) {
      if (side.timer !== null) next = next === null ? side.timer : Math.min(next, side.timer);
    }
    return next;
  }
}
