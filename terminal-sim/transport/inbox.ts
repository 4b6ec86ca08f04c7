import { TransportError } from './errors.js';

/** Frames queued while nobody waits: a peer that floods us is cut off rather than buffered without bound. */
const MAX_QUEUED = 64;

interface Waiter {
  resolve(payload: Buffer): void;
  reject(e: TransportError): void;
}

/**
 * What every transport keeps on its receiving side: payloads that arrived before anyone asked, the one receive()
 * waiting, and the failure that ended the connection.
 */
export class Inbox {
  #queue: Buffer[] = [];
  #waiter: Waiter | undefined;
  #failure: TransportError | undefined;

  constructor(private readonly description: string) {}

  get failure(): TransportError | undefined {
    return this.#failure;
  }

  /** Hands a payload to the waiting receive(), or queues it; false when the queue is full (the caller cuts off). */
  deliver(payload: Buffer): boolean {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve(payload);
      return true;
    }
    if (this.#queue.length >= MAX_QUEUED) return false;
    this.#queue.push(payload);
    return true;
  }

  /** The flood error a transport fails with when deliver() says the queue is full. */
  flooded(): TransportError {
    return new TransportError('BAD_FRAME', `${this.description} sent more than ${MAX_QUEUED} frames nobody asked for`);
  }

  /** Records the first failure and rejects the waiting receive(); false when the inbox had failed already. */
  fail(e: TransportError): boolean {
    if (this.#failure !== undefined) return false;
    this.#failure = e;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(e);
    return true;
  }

  receive(timeoutMs: number, connected: boolean): Promise<Buffer> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (!connected) return Promise.reject(new TransportError('NOT_CONNECTED', `not connected to ${this.description}`));
    if (this.#waiter !== undefined) return Promise.reject(new Error('receive() is already waiting'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new TransportError('TIMEOUT', `no reply from ${this.description} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = {
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  discard(): void {
    this.#queue = [];
  }

  /** A new connection: nothing queued, no failure. */
  reset(): void {
    this.#queue = [];
    this.#failure = undefined;
  }
}
