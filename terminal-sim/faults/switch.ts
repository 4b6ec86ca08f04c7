import type { IsoMessage } from '../../protocol/index.js';
import { systemClock, type Clock, type DeviceFaults, type Terminal } from '../device/index.js';
import type { FaultSet } from './catalogue.js';
import type { FaultyTransport, RequestMatcher } from './transport.js';

/** The terminal actions faults can be aimed at. */
export const Actions = ['signon', 'echo', 'purchase', 'refund', 'void', 'preauth', 'complete', 'reverse', 'settle'] as const;
export type Action = (typeof Actions)[number];

const mtiIs =
  (...mtis: string[]): RequestMatcher =>
  (m: IsoMessage) =>
    mtis.includes(m.mti);

/**
 * The request that is the action itself. Housekeeping before it sends only 0400/0401 and offline advices (0220
 * without field 37), so these never hit a pending reversal or advice by mistake.
 */
export const ActionRequests: Readonly<Record<Action, RequestMatcher>> = {
  signon: mtiIs('0800'),
  echo: mtiIs('0800'),
  purchase: mtiIs('0200', '0201'),
  refund: mtiIs('0200', '0201'),
  void: mtiIs('0200', '0201'),
  preauth: mtiIs('0100', '0101'),
  complete: (m) => (m.mti === '0220' || m.mti === '0221') && m.fields[37] !== undefined,
  reverse: mtiIs('0400', '0401'),
  settle: mtiIs('0500'),
};

/** A clock with an offset a fault can move: the terminal's clock-skew. */
export class SkewClock implements Clock {
  offsetMs = 0;
  constructor(private readonly base: Clock = systemClock) {}
  now(): number {
    return this.base.now() + this.offsetMs;
  }
}

/** What a terminal needs for faults: its wire, its clock. Made by whoever builds the terminal. */
export interface FaultRig {
  transport?: FaultyTransport;
  clock: SkewClock;
}

/**
 * Runs `fn` (one action of `terminal`) with `faults` on: wire faults aimed at the action's request, the clock skewed,
 * the device misbehaving; everything is back to normal afterwards.
 */
export async function withFaults<T>(terminal: Terminal, rig: FaultRig, action: Action, faults: FaultSet, fn: () => Promise<T>): Promise<T> {
  const device: DeviceFaults = {
    skipReversal: faults.skipReversal === true,
    printApprovedOnTimeout: faults.printApprovedOnTimeout === true,
    skipAdvice: faults.skipAdvice === true,
  };
  const saved = { ...terminal.faults };
  Object.assign(terminal.faults, device);
  rig.clock.offsetMs = faults.clockSkewMs ?? 0;
  rig.transport?.arm(faults, ActionRequests[action]);
  try {
    return await fn();
  } finally {
    rig.transport?.disarm();
    rig.clock.offsetMs = 0;
    Object.assign(terminal.faults, saved);
  }
}
