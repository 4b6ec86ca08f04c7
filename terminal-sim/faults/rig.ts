import { builtinSpecs, codecFor } from '../../protocol/index.js';
import { keySetNamed, Terminal, type Clock, type TerminalOptions } from '../device/index.js';
import { SkewClock, type FaultRig } from './switch.js';
import { FaultyTransport, type RawTransport } from './transport.js';

export interface RiggedTerminalOptions extends Omit<TerminalOptions, 'transport' | 'clock'> {
  transport?: RawTransport;
  clock?: Clock;
}

/** Opens a terminal whose link, clock and behaviour faults can switch (see withFaults). */
export async function openRiggedTerminal(o: RiggedTerminalOptions): Promise<{ terminal: Terminal; rig: FaultRig }> {
  const clock = new SkewClock(o.clock);
  const keys = typeof o.keySet === 'object' ? o.keySet : keySetNamed(o.keySet ?? 'test');
  const transport =
    o.transport === undefined ? undefined : new FaultyTransport(o.transport, codecFor(o.spec ?? builtinSpecs.iso87binary), Buffer.from(keys.tak, 'hex'));
  const terminal = await Terminal.open({ ...o, transport, clock });
  return { terminal, rig: { transport, clock } };
}
