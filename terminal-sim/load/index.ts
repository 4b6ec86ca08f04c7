// Load: many lean terminals against a gateway, open or closed loop, with a live progress line and a latency summary.
export { runLoad, loadTerminalIds, type LoadOptions, type LoadProgress, type LoadSummary } from './driver.js';
export { LeanTerminal, type LeanOutcome, type LeanResult } from './lean.js';
export { LatencyRecorder, HISTOGRAM_BOUNDS } from './latency.js';
export { progressLine, renderSummary } from './display.js';
export { loadCommand } from './command.js';
