// Terminals on serial lines: one session per port, STX/ETX + ACK/NAK (protocol/framing/serial) or length framing.
export { SerialLinkChannel, type LinkChannelOptions } from './link-channel.js';
export {
  SerialListener,
  SerialPortStates,
  type SerialListenerOptions,
  type SerialPortState,
  type SerialPortStatus,
} from './listener.js';
export { lineSettings, openRealPort, type LineSettings, type OpenablePort, type PortFactory } from './port.js';
export { SerialPorts } from './ports.js';
