// A simulated card terminal: identity, counters, a journal on disk, receipts, settlement. Imports protocol/ only.
export {
  Terminal,
  type TerminalOptions,
  type SaleInput,
  type TxRef,
  type Outcome,
  type Blocked,
  type TxResult,
  type ReversalResult,
  type AdviceResult,
  type Housekeeping,
  type NetworkResult,
  type SettlementResult,
  type DeviceFaults,
} from './terminal.js';
export { cardVault, parseDataKey, type CardVault, type StoredCard } from './vault.js';
export { DeviceErrors, DeviceError, isDeviceError, type DeviceErrorCode } from './errors.js';
export {
  Schemes,
  TestCards,
  cardFromPan,
  cardFromTrack2,
  luhnValid,
  schemeOf,
  testCardNamed,
  track2Of,
  type Card,
  type Scheme,
  type TestCardName,
} from './cards.js';
export { CurrencyExponents, CurrencyLetters, amountField, exponentOf, formatAmount, parseAmount } from './money.js';
export { TestKeySets, keyCheckValue, keySetNamed, tdesEcb, type KeySet, type TestKeySetName } from './keys.js';
export { decryptPinBlock, encryptedPinBlock, pinBlockFormat0 } from './pin.js';
export { EmvTransactionTypes, chipData, type ChipInput } from './emv.js';
export {
  EntryModes,
  EntryStatuses,
  JOURNAL_VERSION,
  JournalFile,
  ReversalReasons,
  TxKinds,
  newJournal,
  type AdviceState,
  type ClosedBatch,
  type EntryMode,
  type EntryStatus,
  type JournalEntry,
  type JournalState,
  type PendingReversal,
  type ReversalReason,
  type Totals,
  type TxKind,
} from './journal.js';
export { ReceiptCopies, ReceiptTypes, receiptFileName, receiptOf, renderReceipt, type Receipt, type ReceiptCopy } from './receipt.js';
export { LocalCodes, ResponseTexts, isApproved, responseText } from './responses.js';
export { batchTotals, formatTotals, isCaptured, parseTotals } from './totals.js';
export {
  NetworkCodes,
  PosEntryModes,
  ProcCodes,
  SettlementCodes,
  authorizationRequest,
  expectedResponseMti,
  fitToSpec,
  networkRequest,
  reversalRequest,
  settlementRequest,
  uploadRequest,
} from './messages.js';
export { exchange, exchangeEncoded, type TerminalEvent } from './exchange.js';
export { stampOf, systemClock, type Clock, type LocalStamp } from './clock.js';
