/** Ledger status of one bill number. */
export type LedgerStatus =
  | 'pending'
  | 'synced'
  | 'rejected'
  | 'failed'
  | 'cancelled_in_source'
  /** audited in Xingchen: never modified by erpsync; a newer WDT version waits for an operator */
  | 'audited_in_xingchen';

/** A Xingchen call whose outcome is not known yet (recorded before the call). */
export type PendingOperation = 'create' | 'modify';

/** One row of `sales_order_ledger`. */
export interface LedgerRow {
  billNo: string;
  tradeId: string;
  status: LedgerStatus;
  /** The Xingchen order id, once known. */
  xingchenId: string | null;
  /** Source version of the latest accepted message (intent or synced). */
  sourceModified: Date;
  sourceVersionId: string | null;
  /** Content hash of the latest accepted message (intent or synced). */
  contentHash: string | null;
  /** Content hash known to be in Xingchen. */
  syncedContentHash: string | null;
  pendingOperation: PendingOperation | null;
  /** Xingchen save calls made for this bill. */
  attempts: number;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  firstSyncedAt: Date | null;
  lastSyncedAt: Date | null;
  cancelledAt: Date | null;
}

export type AttemptOperation = 'create' | 'modify' | 'lookup' | 'detail';
export type AttemptOutcome =
  'success' | 'found' | 'absent' | 'business_error' | 'retriable_error' | 'ambiguous' | 'fatal';

/** One row of the append-only `sales_order_sync_attempts`. */
export interface AttemptRecord {
  billNo: string;
  operation: AttemptOperation;
  outcome: AttemptOutcome;
  xingchenId: string | null;
  contentHash: string | null;
  sourceModified: Date | null;
  errorCode: string | null;
  errorMessage: string | null;
  durationMs: number;
  /** The call as it went over the wire (the last exchange when the client repeated it), when known. */
  exchange?: AttemptExchange | null;
}

/** What one attempt sent and what Xingchen answered, as text. */
export interface AttemptExchange {
  requestBody: string | null;
  /** null when no answer came. */
  responseStatus: number | null;
  responseBody: string | null;
}

/** Exclusive access to one bill's ledger row while a decision and its Xingchen calls run. */
export interface LedgerSession {
  /** The row as this session last saw or wrote it (null: the bill is new). */
  get(): Promise<LedgerRow | null>;
  /** Inserts or replaces the whole row; durable at the latest when the session ends, before its lock is released. */
  put(row: LedgerRow): Promise<void>;
  /**
   * Like `put`, but durable (with everything recorded before it) when it resolves: the row that
   * says a Xingchen save is about to be made, whose outcome a crash would leave unknown.
   */
  putIntent(row: LedgerRow): Promise<void>;
  /** Recorded like `put`. */
  appendAttempt(attempt: AttemptRecord): Promise<void>;
}

export interface LedgerStore {
  /** Runs `work` holding the bill's lock; throws RetriableError when another worker holds it. */
  withBill<T>(billNo: string, work: (session: LedgerSession) => Promise<T>): Promise<T>;
}
