export const JournalErrorCodes = {
  /** PostgreSQL could not be reached, or the journal's tables could not be created. */
  unreachable: 'JOURNAL_UNREACHABLE',
  /** A write did not commit (its promise rejects; nothing of it is visible) or its commit's outcome is unknown. */
  writeFailed: 'JOURNAL_WRITE_FAILED',
  readFailed: 'JOURNAL_READ_FAILED',
  closed: 'JOURNAL_CLOSED',
  /** The SQLite journal file could not be opened or given its tables (on the event loop; see threadFailed). */
  openFailed: 'JOURNAL_OPEN_FAILED',
  /** Another gateway (or an import) holds the SQLite journal: one process writes a journal at a time. */
  inUse: 'JOURNAL_IN_USE',
  /**
   * A sync of the SQLite journal's files failed: commits since the last good sync may not be on disk, and no later
   * sync can tell. The journal takes no more writes until the gateway restarts.
   */
  syncFailed: 'JOURNAL_SYNC_FAILED',
  /** The SQLite journal's thread stopped: its file could not be opened, or the thread died. */
  threadFailed: 'JOURNAL_THREAD_FAILED',
} as const;
export type JournalErrorCode = (typeof JournalErrorCodes)[keyof typeof JournalErrorCodes];

/** A journal failure with a stable code; the driver's error, when there is one, is the cause. */
export class JournalError extends Error {
  constructor(
    readonly code: JournalErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'JournalError';
  }
}
