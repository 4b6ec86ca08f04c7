import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, type MessageInput } from '../../../protocol/index.js';
import { pino } from 'pino';
import { formatError } from '../../../terminal-sim/acquirer/handlers.js';
import { HostLink } from '../../../terminal-sim/acquirer/link.js';
import { openDatabase, type SqliteDatabase } from '../../../terminal-sim/acquirer/sqlite.js';
import { LinkClient, LogCapture, auth, codec, network, startTestStub, type TestStub } from './helpers.js';

function frame(msg: MessageInput): Buffer {
  return encodeFrame(codec.encode(msg, { pad: true }), { header: 'binary2' });
}

// Wire facts of the SQLite WAL file: a 32-byte header (page size at 8, salts at 16), then frames of a 24-byte header
// (the database size after the commit at 4, non-zero only on a transaction's last frame; the salts at 8) and a page.
// Frames whose salts differ from the header's are left over from before the WAL was last restarted.
function commitsInWal(dbPath: string): number {
  const wal = readFileSync(`${dbPath}-wal`);
  const pageSize = wal.readUInt32BE(8);
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== wal.readUInt32BE(16) || wal.readUInt32BE(at + 12) !== wal.readUInt32BE(20)) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return commits;
}

describe('acquirer stub: the ledger rows of one received chunk', () => {
  let t: TestStub;
  let reader: SqliteDatabase;
  // What another connection sees: only committed rows.
  const committedRrns = (): string[] =>
    (reader.prepare('SELECT rrn FROM authorizations ORDER BY id').all() as { rrn: string }[]).map((r) => r.rrn);

  beforeAll(async () => {
    // No daily cutover: nothing but the requests writes to the database.
    t = await startTestStub({ cutover: null });
    reader = openDatabase(t.dbPath);
  });
  afterAll(async () => {
    reader.close();
    await t.close();
  });

  it('are committed in one transaction, before their answers arrive', async () => {
    const c = await LinkClient.connect(t.stub.port);
    // A first request makes the WAL exist and shows one commit per row when a chunk carries one.
    const first = auth({ amount: 1000 });
    await c.request(first);
    const before = commitsInWal(t.dbPath);
    const sales = [1100, 1200, 1300, 1400, 1500].map((amount) => auth({ amount }));
    c.sendRaw(Buffer.concat(sales.map(frame)));
    for (const sale of sales) expect((await c.next()).fields[11]).toBe(sale.fields[11]);
    expect(committedRrns()).toEqual([first, ...sales].map((m) => m.fields[37]));
    expect(commitsInWal(t.dbPath) - before).toBe(1);
    c.close();
  });

  it('keep the rows answered before a bad frame in the middle of the chunk', async () => {
    t.stub.reset();
    const c = await LinkClient.connect(t.stub.port);
    const [a, b, c2, never] = [2100, 2200, 2300, 2400].map((amount) => auth({ amount }));
    // A readable MTI with a truncated body: answered '30', the chunk goes on.
    const truncated = Buffer.from('\x00\x1802003000000000000000' + '0000', 'latin1');
    // A zero-length frame: a framing error that closes the connection; what follows it is never read. (The answers
    // still corked on that connection go with it, as they always did: the rows are what must stay.)
    const zeroLength = Buffer.from([0x00, 0x00]);
    c.sendRaw(Buffer.concat([frame(a), frame(b), truncated, frame(c2), zeroLength, frame(never)]));
    await c.closed;
    expect(committedRrns()).toEqual([a, b, c2].map((m) => m.fields[37]));
    const events = t.logs.events();
    expect(events.some((e) => e.event === 'message_error' && e.code === 'TRUNCATED')).toBe(true);
    expect(events.some((e) => e.event === 'frame_error')).toBe(true);
    // The next chunk, on another connection, is recorded as usual.
    const other = await LinkClient.connect(t.stub.port);
    const next = auth({ amount: 2500 });
    expect((await other.request(next)).fields[39]).toBe('00');
    expect(committedRrns()).toEqual([a, b, c2, next].map((m) => m.fields[37]));
    other.close();
  });
});

describe('acquirer stub: a chunk whose rows cannot be committed', () => {
  it('is not answered: its connection closes, the others stay', async () => {
    let commitFails = true;
    const logs = new LogCapture();
    const link = new HostLink(
      {
        mode: () => 'normal',
        latencyMs: () => 0,
        timings: () => ({ slowMs: 0, lateMs: 0 }),
        handle: (msg) => formatError(msg, {}),
        batch(fn) {
          fn();
          if (commitFails) throw new Error('disk I/O error');
        },
      },
      pino({ level: 'debug' }, logs),
      8192,
    );
    const port = await link.listen('127.0.0.1', 0);
    const c = await LinkClient.connect(port);
    const other = await LinkClient.connect(port);
    c.send(network('301'));
    await c.closed;
    await expect(c.next(0)).rejects.toThrow('connection closed before a reply');
    expect(logs.events().find((e) => e.event === 'commit_error')).toMatchObject({ level: 50, error: 'disk I/O error' });
    commitFails = false;
    expect((await other.request(network('301'))).fields[39]).toBe('30');
    other.close();
    await link.close();
  });
});
