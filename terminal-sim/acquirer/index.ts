// The acquirer stub: an upstream host simulator speaking the host link profile. Imports protocol/ only.
export { startAcquirer, type AcquirerStub, type AcquirerState, type ControlChange } from './stub.js';
export { defaults, type AcquirerOptions } from './options.js';
export { Modes, type Mode } from './link.js';
export {
  Behaviours,
  FailCodes,
  RulesError,
  defaultRules,
  loadRulesFile,
  parseRules,
  type Behaviour,
  type CardRule,
  type FailCode,
  type Outcome,
  type Rules,
  type Timings,
} from './rules.js';
export {
  Kinds,
  LedgerStatuses,
  type Clock,
  type Kind,
  type LedgerFilter,
  type LedgerRow,
  type LedgerStatus,
  type LedgerSummary,
  type ReversalRow,
  type Total,
} from './ledger.js';
export type { BalanceEntry } from './balances.js';
export { ControlErrors, type ControlErrorCode } from './http.js';
export { acquirerCommand } from './command.js';
export {
  CreditFaultKinds,
  FaultKinds,
  FaultsError,
  noFaults,
  parseFaults,
  type CreditFaultKind,
  type FaultKind,
  type FaultTarget,
  type SettlementFaults,
} from './settlement/faults.js';
export {
  SETTLEMENT_COLUMNS,
  SettlementRecords,
  formatSettlementCsv,
  parseSettlementCsv,
  type SettlementLine,
  type SettlementRecord,
} from './settlement/csv.js';
export type { SettlementReport, SettlementState } from './settlement/settlement.js';
export type { AppliedFault, ReportSummary } from './settlement/store.js';
