import { type LedgerRow } from './ledger.types';

/** A row as PostgreSQL returns it: column name → value. */
export type Columns = Record<string, unknown>;

export const toDate = (value: unknown): Date | null =>
  value === null || value === undefined ? null : new Date(value as string);

/** A `sales_order_ledger` row (`SELECT *`) as a LedgerRow. */
export const ledgerRowFromColumns = (raw: Columns): LedgerRow => ({
  billNo: raw.bill_no as string,
  tradeId: raw.trade_id as string,
  status: raw.status as LedgerRow['status'],
  xingchenId: (raw.xingchen_id as string | null) ?? null,
  sourceModified: toDate(raw.source_modified)!,
  sourceVersionId: (raw.source_version_id as string | null) ?? null,
  contentHash: (raw.content_hash as string | null) ?? null,
  syncedContentHash: (raw.synced_content_hash as string | null) ?? null,
  pendingOperation: (raw.pending_operation as LedgerRow['pendingOperation']) ?? null,
  attempts: Number(raw.attempts),
  lastErrorCode: (raw.last_error_code as string | null) ?? null,
  lastErrorMessage: (raw.last_error_message as string | null) ?? null,
  firstSyncedAt: toDate(raw.first_synced_at),
  lastSyncedAt: toDate(raw.last_synced_at),
  cancelledAt: toDate(raw.cancelled_at),
});
