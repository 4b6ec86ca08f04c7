import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../gateway/config/index.js';
import { configError, minimal } from '../config/helpers.js';

function withPorts(...ports: Record<string, unknown>[]): Record<string, unknown> {
  return { ...minimal(), serialPorts: ports };
}

describe('serialPorts in the config', () => {
  it('is left out when not given', () => {
    expect(parseConfig(minimal()).serialPorts).toBeUndefined();
  });

  it('fills every default of a port: 9600 8N1, no flow control, STX/ETX link layer with its timers, TPDU', () => {
    const config = parseConfig(withPorts({ name: 'counter-1', path: '/dev/ttyUSB0' }));
    expect(config.serialPorts).toEqual([
      {
        name: 'counter-1',
        path: '/dev/ttyUSB0',
        baudRate: 9600,
        dataBits: 8,
        parity: 'none',
        stopBits: 1,
        rtscts: false,
        framing: 'stx-etx',
        link: { ackTimeoutMs: 2000, interCharTimeoutMs: 500, retries: 3, lrcCovers: 'length-to-etx', lrcSeed: 0 },
        header: 'binary2',
        tpdu: true,
        spec: 'iso87binary',
        maxFrameSize: 4096,
        frameTimeoutMs: 10000,
        maxInFlight: 4,
        reopen: { initialMs: 500, maxMs: 30000, jitter: 0.2 },
      },
    ]);
    expect(Object.isFrozen(config.serialPorts![0].link)).toBe(true);
  });

  it('keeps given values and fills the rest of a partial link', () => {
    const [p] = parseConfig(
      withPorts({ name: 'pinpad', path: '/dev/ttyACM0', baudRate: 115200, parity: 'even', framing: 'length', header: 'bcd2', link: { lrcSeed: 255 } }),
    ).serialPorts!;
    expect(p).toMatchObject({ baudRate: 115200, parity: 'even', framing: 'length', header: 'bcd2', link: { lrcSeed: 255, retries: 3 } });
  });

  it('names unknown keys, bad enums and out-of-range line settings', () => {
    const e = configError(() =>
      parseConfig(withPorts({ name: 'x', path: '/dev/ttyS0', baud: 9600, parity: 'evn', dataBits: 9, stopBits: 3, framing: 'stx', link: { lrcCovers: 'all' } })),
    );
    expect(e.problems).toEqual(
      expect.arrayContaining([
        { path: 'config.serialPorts[0]', message: 'unknown key "baud"' },
        { path: 'config.serialPorts[0].parity', message: 'must be one of "none", "even", "odd", "mark", "space"' },
        { path: 'config.serialPorts[0].dataBits', message: 'must be <= 8' },
        { path: 'config.serialPorts[0].stopBits', message: 'must be <= 2' },
        { path: 'config.serialPorts[0].framing', message: 'must be one of "stx-etx", "length"' },
        { path: 'config.serialPorts[0].link.lrcCovers', message: 'must be one of "length-to-etx", "message-to-etx", "stx-to-etx"' },
      ]),
    );
    expect(configError(() => parseConfig(withPorts({ name: 'x' }))).problems).toEqual([
      { path: 'config.serialPorts[0]', message: 'missing required key "path"' },
    ]);
  });

  it('cross-checks names, paths, frame sizes and timers', () => {
    const e = configError(() =>
      parseConfig({
        ...withPorts(
          { name: 'terminals', path: '/dev/ttyUSB0', maxFrameSize: 10000 },
          { name: 'b', path: '/dev/ttyUSB0', framing: 'length', header: 'ascii4', maxFrameSize: 10000 },
          { name: 'b', path: '/dev/ttyUSB2', link: { ackTimeoutMs: 500, interCharTimeoutMs: 500 }, reopen: { initialMs: 1000, maxMs: 100 } },
        ),
      }),
    );
    expect(e.problems).toEqual([
      { path: 'config.serialPorts[2].name', message: 'duplicate serial port name "b" (first at config.serialPorts[1])' },
      { path: 'config.serialPorts[1].path', message: 'duplicate serial port path "/dev/ttyUSB0" (first at config.serialPorts[0])' },
      { path: 'config.serialPorts[0].name', message: '"terminals" is already a listener name' },
      { path: 'config.serialPorts[0].maxFrameSize', message: 'must be <= 9999: an STX/ETX frame counts its length in 4 BCD digits' },
      { path: 'config.serialPorts[1].maxFrameSize', message: 'must be <= 9999: a "ascii4" length header counts no more' },
      { path: 'config.serialPorts[2].link.interCharTimeoutMs', message: 'must be < ackTimeoutMs (500)' },
      { path: 'config.serialPorts[2].reopen.maxMs', message: 'must be >= initialMs (1000)' },
    ]);
  });
});
