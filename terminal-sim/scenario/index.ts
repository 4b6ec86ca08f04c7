// Scenarios: a day of several terminals from a JSON file, run against a gateway, reconciled against the acquirer stub.
export { parseScenario, TerminalActions, type Scenario, type Step, type TerminalSpec, type AcquirerChange, type MixSpec, type SettlementStep, type SaleRef } from './schema.js';
export { ScenarioError } from './read.js';
export { httpAcquirer, localAcquirer, AcquirerAccessError, type AcquirerAccess } from './acquirer.js';
export { runScenario, ScenarioRunError, type RunOptions, type ScenarioReport, type SettlementView, type StepResult, type TerminalReport, type PrintedReceipt } from './runner.js';
export { reconcile, entryKey, type Complaint, type UnprintedCharge, type AcquirerView, type Reconciliation, type CreditCheck } from './reconcile.js';
export { renderReport, stepLine } from './report.js';
export { scenarioCommand, loadScenario } from './command.js';
