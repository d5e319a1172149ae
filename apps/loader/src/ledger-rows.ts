import {
  isOrder,
  type NormalizedOrderMessage,
  type NormalizedSalesOrder,
  type SyncError,
} from '@app/contracts';
import { type LedgerRow } from './loader.ports';

/** Pure builders of ledger rows: what the loader writes, given what it knows. No I/O. */

export interface Version {
  modified: Date;
  versionId: string | null;
}

export const versionOf = (message: NormalizedOrderMessage): Version => ({
  modified: new Date(message.source.modified),
  versionId: message.source.versionId ?? null,
});

export const rowVersion = (row: LedgerRow): Version => ({
  modified: row.sourceModified,
  versionId: row.sourceVersionId,
});

/** Orders two source versions: WDT `modified` first, then `version_id` (numerically when both are numbers). */
export function compareVersions(a: Version, b: Version): number {
  const byTime = a.modified.getTime() - b.modified.getTime();
  if (byTime !== 0) return Math.sign(byTime);
  if (a.versionId === null || b.versionId === null || a.versionId === b.versionId) return 0;
  if (/^\d+$/.test(a.versionId) && /^\d+$/.test(b.versionId)) {
    const diff = BigInt(a.versionId) - BigInt(b.versionId);
    return diff === 0n ? 0 : diff > 0n ? 1 : -1;
  }
  return a.versionId < b.versionId ? -1 : 1;
}

/** The ledger's code of an error (the vendor's code when there is one, else the fixed reason). */
export const errorCode = (error: SyncError): string => error.code ?? error.reason;

/** The row's last-error columns describing `error` (the text clipped to the column's 1000 characters). */
export const errorFields = (error: SyncError): Pick<LedgerRow, 'lastErrorCode' | 'lastErrorMessage'> => ({
  lastErrorCode: errorCode(error),
  lastErrorMessage: error.message.slice(0, 1000),
});

/** The columns that stay empty until something happens to a bill. */
const UNTOUCHED: Pick<
  LedgerRow,
  | 'xingchenId'
  | 'syncedContentHash'
  | 'pendingOperation'
  | 'lastErrorCode'
  | 'lastErrorMessage'
  | 'firstSyncedAt'
  | 'lastSyncedAt'
  | 'cancelledAt'
> = {
  xingchenId: null,
  syncedContentHash: null,
  pendingOperation: null,
  lastErrorCode: null,
  lastErrorMessage: null,
  firstSyncedAt: null,
  lastSyncedAt: null,
  cancelledAt: null,
};

/** The source version columns of a message. */
export const versionColumns = (
  message: NormalizedOrderMessage,
): Pick<LedgerRow, 'sourceModified' | 'sourceVersionId'> => {
  const version = versionOf(message);
  return { sourceModified: version.modified, sourceVersionId: version.versionId };
};

/** The row of a bill the ledger has never seen. */
export function newRow(message: NormalizedOrderMessage): LedgerRow {
  return {
    ...UNTOUCHED,
    billNo: message.billNo,
    tradeId: message.source.tradeId,
    status: 'pending',
    ...versionColumns(message),
    contentHash: isOrder(message) ? message.contentHash : null,
    attempts: 0,
  };
}

/** The row updated to describe `order` as the latest accepted version. */
export function accept(row: LedgerRow | null, order: NormalizedSalesOrder): LedgerRow {
  return {
    ...(row ?? newRow(order)),
    tradeId: order.source.tradeId,
    ...versionColumns(order),
    contentHash: order.contentHash,
  };
}

/** The row once Xingchen is known to hold `contentHash` (the bill's id is already on the row). */
export const syncedRow = (row: LedgerRow, contentHash: string | null, now: Date): LedgerRow => ({
  ...row,
  syncedContentHash: contentHash,
  status: 'synced',
  pendingOperation: null,
  lastErrorCode: null,
  lastErrorMessage: null,
  firstSyncedAt: row.firstSyncedAt ?? now,
  lastSyncedAt: now,
});

/** The row of a final refusal: `rejected` with the error's code and text. */
export const rejectedRow = (row: LedgerRow, error: SyncError): LedgerRow => ({
  ...row,
  status: 'rejected',
  ...errorFields(error),
});
