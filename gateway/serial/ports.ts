import type { MessageCodec } from '../../protocol/index.js';
import type { SerialPortConfig } from '../config/types.js';
import type { FlowContext } from '../flow/context.js';
import type { Metrics } from '../metrics.js';
import { SerialListener, type SerialListenerOptions, type SerialPortState, type SerialPortStatus } from './listener.js';

const STATE_VALUES: Record<SerialPortState, number> = { closed: 0, open: 1, opening: 2, reopening: 3 };

/** Prometheus event labels of the counters a port publishes. */
const EVENTS = {
  framesIn: 'frames_in',
  framesOut: 'frames_out',
  bytesIn: 'bytes_in',
  bytesOut: 'bytes_out',
  framesSent: 'link_frames_sent',
  retransmissions: 'retransmissions',
  acked: 'acked',
  failed: 'link_failures',
  delivered: 'delivered',
  repeats: 'repeats',
  acksSent: 'acks_sent',
  naksSent: 'naks_sent',
  naksReceived: 'naks_received',
  ackTimeouts: 'ack_timeouts',
  corruptFrames: 'corrupt_frames',
  stalledFrames: 'stalled_frames',
  strayControl: 'stray_control',
  noiseBytes: 'noise_bytes',
} as const;
type EventKey = keyof typeof EVENTS;

/** Every configured serial port of a gateway: started and stopped together, reported together. */
export class SerialPorts {
  readonly listeners: SerialListener[];
  /** What was last added to the counters, per port: they only move by the difference. */
  readonly #published = new Map<string, Partial<Record<EventKey | 'reopens' | 'openFailures', number>>>();

  constructor(configs: readonly SerialPortConfig[], codecFor: (spec: string) => MessageCodec, ctx: FlowContext, options: SerialListenerOptions = {}) {
    this.listeners = configs.map((c) => new SerialListener(c, codecFor(c.spec), ctx, options));
  }

  get(name: string): SerialListener | undefined {
    return this.listeners.find((l) => l.config.name === name);
  }

  start(): void {
    for (const l of this.listeners) l.start();
  }

  async close(graceMs?: number): Promise<void> {
    await Promise.all(this.listeners.map((l) => l.close(graceMs)));
  }

  status(): SerialPortStatus[] {
    return this.listeners.map((l) => l.status());
  }

  /** Brings the gauges and counters up to date; called at scrape time. */
  publish(metrics: Metrics): void {
    for (const s of this.status()) {
      const port = s.name;
      metrics.serialPortState.set({ port }, STATE_VALUES[s.state]);
      const last = this.#published.get(port) ?? {};
      const values: Partial<Record<EventKey | 'reopens' | 'openFailures', number>> = { ...s.traffic, ...s.link, reopens: s.reopens, openFailures: s.openFailures };
      const delta = (key: EventKey | 'reopens' | 'openFailures'): number => (values[key] ?? 0) - (last[key] ?? 0);
      if (delta('reopens') > 0) metrics.serialReopens.inc({ port }, delta('reopens'));
      if (delta('openFailures') > 0) metrics.serialOpenFailures.inc({ port }, delta('openFailures'));
      for (const key of Object.keys(EVENTS) as EventKey[]) {
        if (values[key] === undefined) continue;
        const d = delta(key);
        // zero is published too, so every series of a port exists from the first scrape
        metrics.serialLink.inc({ port, event: EVENTS[key] }, Math.max(0, d));
      }
      this.#published.set(port, values);
    }
  }
}
