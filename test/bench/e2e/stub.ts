// The acquirer stub as its own process for the benchmark: warn-level logs to stderr, the ledger in memory (the stub
// is the harness, not what is measured). Prints {"port":N} once its host link listens; SIGTERM stops it.
import pino from 'pino';
import { startAcquirer } from '../../../terminal-sim/acquirer/index.js';

const stub = await startAcquirer({
  port: 0,
  httpPort: 0,
  dbPath: ':memory:',
  panKey: 'bench-only-pan-hmac-key',
  logger: pino({ level: 'warn', base: { service: 'acquirer-stub' } }, pino.destination(2)),
});
process.stdout.write(JSON.stringify({ port: stub.port }) + '\n');
process.on('SIGTERM', () => {
  void stub.close().then(() => process.exit(0));
});
