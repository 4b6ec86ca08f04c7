import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import type { SerialPortConfig } from '../config/types.js';

/** The line settings a port is opened with, named as `serialport` names them. */
export type LineSettings = Pick<SerialPortConfig, 'path' | 'baudRate' | 'dataBits' | 'parity' | 'stopBits' | 'rtscts'>;

/**
 * The part of a `serialport` stream the gateway uses. SerialPort (real bindings) and SerialPortMock
 * (@serialport/binding-mock) both fit; a closed port emits 'close', with a DisconnectedError when it was unplugged.
 */
export interface OpenablePort extends Duplex {
  readonly isOpen: boolean;
  open(callback: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  drain(callback?: (err: Error | null) => void): void;
}

/** Makes an unopened port; one per opening, so nothing of a lost port's stream state carries over. */
export type PortFactory = (settings: LineSettings) => OpenablePort;

export const openRealPort: PortFactory = (settings) => new SerialPort({ ...settings, autoOpen: false });

export function lineSettings(config: SerialPortConfig): LineSettings {
  const { path, baudRate, dataBits, parity, stopBits, rtscts } = config;
  return { path, baudRate, dataBits, parity, stopBits, rtscts };
}
