import type { IsoMessage } from '../../../protocol/index.js';
import { HostLink, type HostLinkOptions, type LinkState } from '../../../gateway/acquirer/index.js';
import { FakeAcquirer } from './fake-acquirer.js';

/** 2024-03-05 14:07:09 UTC: field 7 reads 0305140709. */
export const fixedClock = { now: () => Date.UTC(2024, 2, 5, 14, 7, 9) };

export interface Rig {
  fake: FakeAcquirer;
  link: HostLink;
  /** Every state the link went through, in order. */
  states: LinkState[];
}

const rigs: Rig[] = [];

/** A fake acquirer and a link to it with small timings; `start: false` leaves the link stopped. */
export async function rig(opts: Partial<HostLinkOptions> = {}, start = true): Promise<Rig> {
  const fake = new FakeAcquirer();
  const port = await fake.listen();
  const link = new HostLink({
    id: 'acq1',
    host: '127.0.0.1',
    port,
    deadlineMs: 500,
    echoIntervalMs: 0,
    connectTimeoutMs: 500,
    reconnect: { initialMs: 20, maxMs: 200, jitter: 0 },
    clock: fixedClock,
    ...opts,
  });
  const r: Rig = { fake, link, states: [] };
  link.on('state', (s) => r.states.push(s));
  rigs.push(r);
  if (start) {
    link.start();
    await until(link, 'up');
  }
  return r;
}

export async function teardown(): Promise<void> {
  for (const r of rigs.splice(0)) {
    await r.link.stop();
    await r.fake.close();
  }
}

/** Resolves when the link reaches `state` (at once if it is there). */
export function until(link: HostLink, state: LinkState, timeoutMs = 2000): Promise<void> {
  if (link.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      link.off('state', on);
      reject(new Error(`link did not reach ${state} within ${timeoutMs} ms (it is ${link.state})`));
    }, timeoutMs);
    const on = (s: LinkState) => {
      if (s !== state) return;
      clearTimeout(timer);
      link.off('state', on);
      resolve();
    };
    link.on('state', on);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An 0200 purchase with the gateway's STAN and RRN. */
export function purchase(stan: string, rrn: string, amount = '000000001000'): IsoMessage {
  return {
    mti: '0200',
    fields: {
      2: '4761739001010010',
      3: '000000',
      4: amount,
      7: '0305140709',
      11: stan,
      12: '140709',
      13: '0305',
      22: '051',
      25: '00',
      32: '123456',
      37: rrn,
      41: 'TERM0001',
      42: 'MERCHANT0000001',
      49: '840',
    },
  };
}

/** The message with its fields as a plain object of the fields present, however the codec stores them. */
export function plain(msg: IsoMessage): { mti: string; fields: Record<number, unknown> } {
  const fields: Record<number, unknown> = {};
  for (const [n, v] of Object.entries(msg.fields)) if (v !== undefined) fields[Number(n)] = v;
  return { mti: msg.mti, fields };
}
