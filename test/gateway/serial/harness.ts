import type { RunningGateway } from '../../../gateway/app.js';
import { DEFAULT_SERIAL_PORT } from '../../../gateway/config/schema.js';
import type { SerialPortConfig, TerminalConfig } from '../../../gateway/config/types.js';
import { waitFor } from '../../e2e/stack.js';

type SerialOverrides = Partial<Omit<SerialPortConfig, 'link' | 'reopen'>> & {
  link?: Partial<SerialPortConfig['link']>;
  reopen?: Partial<SerialPortConfig['reopen']>;
};

/** A complete serial port config (tests build configs without parseConfig): the schema's defaults, fast reopen. */
export function serialPortConfig(name: string, path: string, over: SerialOverrides = {}): SerialPortConfig {
  return {
    ...DEFAULT_SERIAL_PORT,
    name,
    path,
    ...over,
    link: { ...DEFAULT_SERIAL_PORT.link, ...over.link },
    reopen: { initialMs: 50, maxMs: 500, jitter: 0, ...over.reopen },
  };
}

/** The test stack's terminals plus `ids`. */
export function terminalsWith(...ids: string[]): TerminalConfig[] {
  return [
    { id: 'TERM0001', merchantId: 'MERCHANT0000001', enabled: true },
    { id: 'TERM0002', merchantId: 'MERCHANT0000001', enabled: true },
    ...ids.map((id) => ({ id, merchantId: 'MERCHANT0000001', enabled: true })),
  ];
}

export async function waitPortState(gw: RunningGateway, name: string, state: string, timeoutMs = 5000): Promise<void> {
  await waitFor(() => gw.serial.get(name)?.state === state, timeoutMs, `serial port ${name} ${state}`);
}
