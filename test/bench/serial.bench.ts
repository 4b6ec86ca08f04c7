// npm run bench:serial: purchases one after another (a serial terminal does one at a time) through the gateway and
// the acquirer stub, over a pty pair with the STX/ETX + ACK/NAK link layer, and the same purchases over TCP in the
// same run, same process, same journal settings (synchronous 'full'), one of each in turn.
//
// "framing overhead" is bytes on the wire against payload bytes, both directions, counted at the terminal:
// (wire - payload) / payload, where payload is the TPDU and ISO 8583 message of each request and reply, and the wire
// carries STX, the BCD length, ETX, LRC and the ACK byte of every frame (no retransmissions on a clean pty). The TCP
// figure (its 2-byte length header) and the rate against TCP are printed on the detail line.
// A pty has no wire time: the rate is what the gateway and the link layer cost, not what a 9600-baud line allows
// (a purchase's request and reply frames and their ACKs are about 190 bytes: some 0.2 s of line time at 9600 baud).
import { parseArgs } from 'node:util';
import { serialPortConfig, terminalsWith, waitPortState } from '../gateway/serial/harness.js';
import { hasSocat, PtyPair } from '../gateway/serial/pty.js';
import { SerialTestTerminal, txRequest } from '../gateway/serial/serial-terminal.js';
import { startStack } from '../e2e/stack.js';
import { sale } from '../e2e/terminal-client.js';

const usage = `npm run bench:serial -- [--count N]

Sends N purchases (default 2000, at most 100000) one at a time over a pty pair to the gateway's serial listener,
and N over TCP, one of each in turn, and prints the rates and the serial framing overhead. Needs socat.`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { count: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    console.log(usage);
    return;
  }
  const count = Number(values.count ?? 2000);
  if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new Error('--count must be an integer from 1 to 100000');
  if (!hasSocat) throw new Error('socat is needed for the pty pair (apt-get install socat)');

  const pair = await PtyPair.open();
  const link = { ackTimeoutMs: 500, interCharTimeoutMs: 50 };
  const stack = await startStack({
    config: { terminals: terminalsWith('BENCH001'), serialPorts: [serialPortConfig('bench', pair.a, { link })], log: { level: 'warn' } },
  });
  try {
    await waitPortState(stack.gw, 'bench', 'open');
    const t = await SerialTestTerminal.open(pair.b, { link });
    const tcp = await stack.terminal();
    const serialTx = (amount: number) => t.request(txRequest({ terminalId: 'BENCH001', stan: t.nextStan(), amount }));
    const tcpTx = (amount: number) => tcp.request(sale(tcp, { amount, terminalId: 'TERM0001' }));
    // warm-up: JIT, SQLite pages, the acquirer link
    for (let i = 0; i < 50; i++) await Promise.all([serialTx(100), tcpTx(100)]);
    const w = { ...t.faults };

    // one over serial, one over TCP, in turn: both see the same machine (disk syncs, other load) at the same time
    let serialMs = 0;
    let tcpMs = 0;
    for (let i = 0; i < count; i++) {
      const amount = 100 * (i + 1);
      let started = performance.now();
      const s = await serialTx(amount);
      serialMs += performance.now() - started;
      started = performance.now();
      const c = await tcpTx(amount);
      tcpMs += performance.now() - started;
      if (s.fields[39] !== '00' || c.fields[39] !== '00') throw new Error(`purchase ${i} answered ${String(s.fields[39])} / ${String(c.fields[39])}`);
    }
    const serialRate = count / (serialMs / 1000);
    const tcpRate = count / (tcpMs / 1000);
    const f = t.faults;
    const wire = f.bytesOut - w.bytesOut + f.bytesIn - w.bytesIn;
    const payload = f.payloadOut - w.payloadOut + f.payloadIn - w.payloadIn;
    const retransmissions = t.linkStats!.retransmissions + stack.gw.serial.get('bench')!.status().link!.retransmissions;
    await t.close();
    // TCP: a 2-byte length header per frame, two frames per purchase
    const tcpOverhead = (2 * 2 * count) / payload;

    const overhead = (wire - payload) / payload;
    console.log(
      `detail: ${count} purchases each way; serial ${serialRate.toFixed(0)} tx/s, tcp ${tcpRate.toFixed(0)} tx/s (serial at ` +
        `${((serialRate / tcpRate) * 100).toFixed(0)}% of tcp); wire ${wire} bytes for ${payload} payload bytes ` +
        `(${(payload / count / 2).toFixed(1)} a message); tcp framing overhead ${(tcpOverhead * 100).toFixed(1)}%; retransmissions ${retransmissions}`,
    );
    console.log(`serial: ${serialRate.toFixed(0)} tx/s over a pty pair, framing overhead ${(overhead * 100).toFixed(1)}%`);
  } finally {
    await stack.close();
    await pair.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
