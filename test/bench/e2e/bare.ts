// The bare relay ceiling, run as its own process: `bare.js relay UPSTREAM_PORT` accepts terminal connections and
// pipes each one's bytes, untouched, to its own upstream connection; `bare.js host` is that upstream, answering every
// purchase 0210 approved with as little work as a host can do (decode, copy the echoed fields, encode): the relay
// has no framing, no codec, no journal. Prints {"port":N} once listening.
import net from 'node:net';
import { builtinSpecs, codecFor, encodeFrame, FrameDecoder, replyTpdu, type IsoMessage } from '../../../protocol/index.js';

const HOST = '127.0.0.1';

function relay(upstreamPort: number): net.Server {
  return net.createServer((terminal) => {
    const upstream = net.connect(upstreamPort, HOST);
    terminal.setNoDelay(true);
    upstream.setNoDelay(true);
    terminal.pipe(upstream).pipe(terminal);
    const end = (): void => {
      terminal.destroy();
      upstream.destroy();
    };
    terminal.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
}

const codec = codecFor(builtinSpecs.iso87binary);
/** The fields a host echoes in its answer to a purchase. */
const ECHOED = [2, 3, 4, 11, 12, 13, 41, 42, 49] as const;

function host(): net.Server {
  let rrn = 0;
  return net.createServer((socket) => {
    socket.setNoDelay(true);
    const decoder = new FrameDecoder({ header: 'binary2', tpdu: true, maxFrameSize: 8192 });
    socket.on('data', (chunk: Buffer) => {
      decoder.append(chunk);
      for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
        const req = codec.decode(frame.payload);
        const fields: IsoMessage['fields'] = {};
        for (const n of ECHOED) if (req.fields[n] !== undefined) fields[n] = req.fields[n];
        rrn = (rrn % 999_999) + 1;
        fields[37] = String(rrn).padStart(12, '0');
        fields[38] = '123456';
        fields[39] = '00';
        socket.write(encodeFrame(codec.encode({ mti: '0210', fields }, { pad: true }), { header: 'binary2', tpdu: replyTpdu(frame.tpdu!) }));
      }
    });
    socket.on('error', () => socket.destroy());
  });
}

const [role, upstream] = process.argv.slice(2);
const port = Number(upstream);
if (role !== 'host' && !(role === 'relay' && Number.isInteger(port) && port > 0 && port < 65536)) {
  process.stderr.write('usage: bare.js host | bare.js relay UPSTREAM_PORT\n');
  process.exit(2);
}
const server = role === 'host' ? host() : relay(port);
// a deep accept queue: the relay opens one upstream connection per terminal, all at once, and a dropped SYN would
// stall a connection for a second or more
server.listen({ port: 0, host: HOST, backlog: 4096 }, () => process.stdout.write(JSON.stringify({ port: (server.address() as net.AddressInfo).port }) + '\n'));
process.on('SIGTERM', () => process.exit(0));
