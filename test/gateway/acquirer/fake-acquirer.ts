// A tiny acquirer for the host link tests: binary2 frames of iso87ascii messages, answered by a swappable handler.
import { EventEmitter, once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { codecFor, encodeFrame, FrameDecoder, iso87ascii, type IsoMessage } from '../../../protocol/index.js';

const codec = codecFor(iso87ascii);

export class Peer {
  constructor(readonly socket: net.Socket) {}

  send(msg: IsoMessage): void {
    this.sendRaw(encodeFrame(codec.encode(msg), { header: 'binary2' }));
  }

  sendRaw(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }
}

/** What the handler returns: a reply to send at once, or undefined to stay silent (the test may answer later). */
export type Handler = (msg: IsoMessage, peer: Peer) => IsoMessage | undefined;

/** The reply MTI (0200 -> 0210) with the echoed fields of the wire contract and the given extra fields. */
export function replyTo(req: IsoMessage, extra: Record<number, string> = {}): IsoMessage {
  const mti = req.mti.slice(0, 2) + String(Number(req.mti[2]) + 1) + req.mti[3];
  const fields: IsoMessage['fields'] = {};
  for (const n of [3, 4, 7, 11, 37, 41, 42, 49, 70]) if (req.fields[n] !== undefined) fields[n] = req.fields[n];
  return { mti, fields: { ...fields, 39: '00', ...extra } };
}

/** Answers network management with 00, other requests with 00 and auth code "A00001", and ignores responses. */
export const approveAll: Handler = (msg) => {
  if (Number(msg.mti[2]) % 2 === 1) return undefined;
  return msg.mti === '0800' ? replyTo(msg) : replyTo(msg, { 38: 'A00001' });
};

export class FakeAcquirer extends EventEmitter<{ message: [IsoMessage, Peer]; connection: [Peer] }> {
  readonly server: net.Server;
  readonly received: IsoMessage[] = [];
  readonly peers: Peer[] = [];
  /** performance.now() of each accepted connection. */
  readonly connectedAt: number[] = [];
  handler: Handler = approveAll;

  /** With `tlsOptions` (key and cert) the acquirer listens with TLS. */
  constructor(tlsOptions?: tls.TlsOptions) {
    super();
    this.server = tlsOptions
      ? tls.createServer(tlsOptions, (socket) => this.#accept(socket))
      : net.createServer((socket) => this.#accept(socket));
  }

  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as net.AddressInfo).port;
  }

  get peer(): Peer {
    const peer = this.peers.at(-1);
    if (peer === undefined) throw new Error('no connection yet');
    return peer;
  }

  /** Resolves with the next received message that satisfies `pred` (or one already received, from `from` on). */
  async next(pred: (m: IsoMessage) => boolean, from = 0): Promise<IsoMessage> {
    const seen = this.received.slice(from).find(pred);
    if (seen) return seen;
    for (;;) {
      const [msg] = await once(this, 'message');
      if (pred(msg as IsoMessage)) return msg as IsoMessage;
    }
  }

  dropAll(): void {
    for (const p of this.peers) p.socket.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #accept(socket: net.Socket): void {
    const peer = new Peer(socket);
    this.peers.push(peer);
    this.connectedAt.push(performance.now());
    const decoder = new FrameDecoder({ header: 'binary2', maxFrameSize: 8192 });
    socket.setNoDelay(true); // back-to-back replies must not wait for the link's delayed ACK
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const msg = codec.decode(frame.payload);
        this.received.push(msg);
        const reply = this.handler(msg, peer);
        if (reply !== undefined) peer.send(reply);
        this.emit('message', msg, peer);
      }
    });
    this.emit('connection', peer);
  }
}
