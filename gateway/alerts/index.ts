// Early-warning alerts: business signals from the flow's outcomes and the store's backlogs, raised and cleared with hysteresis.
export { AlertEngine, type AlertChange, type AlertEngineOptions, type AlertListener, type CaseSource } from './engine.js';
export { checkAlertsConfig, defaultAlertsConfig } from './config.js';
export { Rules, type Level, type Reading, type RuleName } from './reading.js';
export { LATENCY_BOUNDS_MS, Signals, type Outcome, type Tally } from './signals.js';
export { WebhookSender, type WebhookOptions } from './webhook.js';
