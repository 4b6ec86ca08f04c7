// The bare relay ceiling, run as its own process: `bare.js relay UPSTREAM_PORT` accepts terminal connections and
// pipes each one's bytes, untouched, to its own upstream connection; `bare.js echo` is that upstream, returning
// every byte (so every frame) it receives. No framing, no codec, no journal. Prints {"port":N} once listening.
import net from 'node:net';

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

function echo(): net.Server {
  return net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.pipe(socket);
    socket.on('error', () => socket.destroy());
  });
}

const [role, upstream] = process.argv.slice(2);
const port = Number(upstream);
if (role !== 'echo' && !(role === 'relay' && Number.isInteger(port) && port > 0 && port < 65536)) {
  process.stderr.write('usage: bare.js echo | bare.js relay UPSTREAM_PORT\n');
  process.exit(2);
}
const server = role === 'echo' ? echo() : relay(port);
// a deep accept queue: the relay opens one upstream connection per terminal, all at once, and a dropped SYN would
// stall a connection for a second or more
server.listen({ port: 0, host: HOST, backlog: 4096 }, () => process.stdout.write(JSON.stringify({ port: (server.address() as net.AddressInfo).port }) + '\n'));
process.on('SIGTERM', () => process.exit(0));
