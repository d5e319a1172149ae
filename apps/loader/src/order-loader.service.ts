import {
  FatalError,
  isOrder,
  NonRetriableError,
  RetriableError,
  type LoaderOutcome,
  type NormalizedOrderMessage,
  type NormalizedSalesOrder,
  type OrderCancellation,
  type SyncError,
} from '@app/contracts';
import { type Logger, type Metrics } from '@app/observability';
import { XingchenAmbiguousError, type SalesOrderDraft, type XingchenSalesOrder } from '@app/xingchen-client';
import {
  type AttemptOperation,
  type AttemptOutcome,
  type LedgerRow,
  type LedgerSession,
  type LedgerStore,
  type MasterDataResolverPort,
  type MasterKind,
  type ResolvedIds,
  type XingchenPort,
} from './loader.ports';
import { orderNumbers, salesOrderDraft, storedMatchesDraft, withStoredEntryIds } from './sales-order-draft';

interface Version {
  modified: Date;
  versionId: string | null;
}

const versionOf = (message: NormalizedOrderMessage): Version => ({
  modified: new Date(message.source.modified),
  versionId: message.source.versionId ?? null,
});
const rowVersion = (row: LedgerRow): Version => ({
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

const errorCode = (error: SyncError): string => error.code ?? error.reason;
const clip = (text: string) => text.slice(0, 1000);

/**
 * The loader's decision table (docs: mapping.md, "Loader decisions"), applied under the bill's
 * ledger lock: an intent row before every create or modify, a look-up before repeating a create
 * whose outcome is unknown, one Xingchen call for a new order in the common case.
 */
export class OrderLoader {
  constructor(
    private readonly ledger: LedgerStore,
    private readonly xingchen: XingchenPort,
    private readonly masterData: MasterDataResolverPort,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async handle(message: NormalizedOrderMessage): Promise<LoaderOutcome> {
    try {
      const outcome = await this.ledger.withBill(message.billNo, (session) =>
        isOrder(message) ? this.decideOrder(session, message) : this.decideCancellation(session, message),
      );
      this.metrics.loaderOrders.inc({ outcome });
      return outcome;
    } catch (error) {
      if (error instanceof NonRetriableError && !(error instanceof FatalError))
        this.metrics.loaderOrders.inc({ outcome: 'rejected' });
      throw error;
    }
  }

  /** Retries exhausted (the runner's onDeadLetter): the ledger says `failed`; a pending intent stays pending. */
  async recordFailure(message: NormalizedOrderMessage, error: unknown): Promise<void> {
    const code = error instanceof RetriableError ? errorCode(error) : 'unexpected_error';
    const text = clip(error instanceof Error ? error.message : String(error));
    await this.ledger.withBill(message.billNo, async (session) => {
      const row = await session.get();
      const base = row ?? this.newRow(message);
      await session.put({ ...base, status: 'failed', lastErrorCode: code, lastErrorMessage: text });
    });
    this.metrics.loaderOrders.inc({ outcome: 'failed' });
  }

  private newRow(message: NormalizedOrderMessage): LedgerRow {
    const version = versionOf(message);
    return {
      billNo: message.billNo,
      tradeId: message.source.tradeId,
      status: 'pending',
      xingchenId: null,
      sourceModified: version.modified,
      sourceVersionId: version.versionId,
      contentHash: isOrder(message) ? message.contentHash : null,
      syncedContentHash: null,
      pendingOperation: null,
      attempts: 0,
      lastErrorCode: null,
      lastErrorMessage: null,
      firstSyncedAt: null,
      lastSyncedAt: null,
      cancelledAt: null,
    };
  }

  /** The row updated to describe `order` as the latest accepted version. */
  private accept(row: LedgerRow | null, order: NormalizedSalesOrder): LedgerRow {
    const version = versionOf(order);
    return {
      ...(row ?? this.newRow(order)),
      tradeId: order.source.tradeId,
      sourceModified: version.modified,
      sourceVersionId: version.versionId,
      contentHash: order.contentHash,
    };
  }

  private async decideOrder(session: LedgerSession, order: NormalizedSalesOrder): Promise<LoaderOutcome> {
    const row = await session.get();
    const stale = row !== null && compareVersions(versionOf(order), rowVersion(row)) < 0;
    if (row?.pendingOperation === 'create') return this.resolvePendingCreate(session, row, order, stale);
    if (stale) return 'stale';
    if (row?.pendingOperation === 'modify' && row.xingchenId)
      return this.save(session, row, order, row.xingchenId);
    if (row?.xingchenId) {
      if (row.syncedContentHash === order.contentHash) {
        const next: LedgerRow = {
          ...this.accept(row, order),
          status: row.status === 'cancelled_in_source' ? row.status : 'synced',
          lastErrorCode: row.status === 'synced' ? row.lastErrorCode : null,
          lastErrorMessage: row.status === 'synced' ? row.lastErrorMessage : null,
        };
        if (
          compareVersions(versionOf(order), rowVersion(row)) !== 0 ||
          next.status !== row.status ||
          row.contentHash !== order.contentHash
        ) {
          await session.put(next);
        }
        return 'unchanged';
      }
      return this.save(session, row, order, row.xingchenId);
    }
    return this.save(session, row, order, undefined);
  }

  /** An earlier create's outcome is unknown: ask Xingchen before anything else. */
  private async resolvePendingCreate(
    session: LedgerSession,
    row: LedgerRow,
    order: NormalizedSalesOrder,
    stale: boolean,
  ): Promise<LoaderOutcome> {
    const found = await this.lookup(session, row, order.billNo);
    if (found) {
      // the only create under this intent carried the intent's content
      const adopted: LedgerRow = {
        ...row,
        xingchenId: found,
        syncedContentHash: row.contentHash,
        pendingOperation: null,
      };
      if (stale || row.contentHash === order.contentHash) {
        const now = this.now();
        await session.put({
          ...adopted,
          status: 'synced',
          lastErrorCode: null,
          lastErrorMessage: null,
          firstSyncedAt: row.firstSyncedAt ?? now,
          lastSyncedAt: now,
        });
        if (stale) return 'stale';
        this.observeLatency(order);
        return 'created';
      }
      return this.save(session, adopted, order, found);
    }
    if (stale) return 'stale';
    return this.save(session, { ...row, pendingOperation: null }, order, undefined);
  }

  private async lookup(session: LedgerSession, row: LedgerRow, billNo: string): Promise<string | null> {
    const started = Date.now();
    try {
      const found = await this.xingchen.findSalesOrderByBillNo(billNo);
      await this.attempt(session, row, 'lookup', found ? 'found' : 'absent', started, found?.id ?? null);
      return found?.id ?? null;
    } catch (error) {
      if (error instanceof RetriableError || error instanceof FatalError) {
        await session.put({ ...row, lastErrorCode: errorCode(error), lastErrorMessage: clip(error.message) });
        await this.attempt(
          session,
          row,
          'lookup',
          error instanceof FatalError ? 'fatal' : 'retriable_error',
          started,
          null,
          error,
        );
      }
      throw error;
    }
  }

  /** Resolve numbers, then create (no id) or modify the bill `xingchenId`. */
  private async save(
    session: LedgerSession,
    row: LedgerRow | null,
    order: NormalizedSalesOrder,
    xingchenId: string | undefined,
  ): Promise<LoaderOutcome> {
    const accepted = this.accept(row, order);
    const ids = await this.resolve(session, accepted, order);
    return xingchenId
      ? this.modify(session, accepted, order, ids, xingchenId, false)
      : this.create(session, accepted, order, ids, true);
  }

  /**
   * Intent, then one create. A refused create is followed by one look-up of the bill number (the
   * vendor's business codes are not public, so none of them decides anything): found → adopt it;
   * absent → master data from the cache is fetched afresh once, else the refusal is final.
   */
  private async create(
    session: LedgerSession,
    base: LedgerRow,
    order: NormalizedSalesOrder,
    ids: ResolvedIds,
    mayRefreshMasterData: boolean,
  ): Promise<LoaderOutcome> {
    const intent: LedgerRow = { ...base, status: 'pending', pendingOperation: 'create', xingchenId: null };
    await session.putIntent(intent);
    const saved = await this.saveOnce(session, intent, order, salesOrderDraft(order, ids), 'create');
    if (saved.ok) return 'created';
    const settled: LedgerRow = { ...saved.tried, pendingOperation: null };
    const found = await this.lookup(session, settled, order.billNo);
    if (found) {
      this.logger.info(
        { billNo: order.billNo, xingchenId: found },
        'create refused and the bill number is in Xingchen: adopting it',
      );
      return this.modify(session, { ...settled, xingchenId: found }, order, ids, found, true);
    }
    if (mayRefreshMasterData && Object.values(ids.cached).some(Boolean)) {
      const fresh = await this.refreshMasterData(session, settled, order, ids);
      if (fresh) return this.create(session, settled, order, fresh, false);
    }
    return this.reject(session, settled, order, 'create', saved.error);
  }

  /**
   * Reads the stored bill first: one that already holds this content is only recorded; an audited
   * bill is never modified (recorded as such); a bill gone from Xingchen is created again; the
   * lines reuse the stored entry ids so that they replace the stored lines.
   */
  private async modify(
    session: LedgerSession,
    base: LedgerRow,
    order: NormalizedSalesOrder,
    ids: ResolvedIds,
    xingchenId: string,
    adopted: boolean,
  ): Promise<LoaderOutcome> {
    const stored = await this.readStored(session, base, xingchenId);
    if (!stored) {
      if (adopted) {
        // the list found the bill but its detail does not: ask again later, never loop create ↔ adopt
        throw new RetriableError(
          `xingchen lists bill ${order.billNo} as ${xingchenId} but its detail finds nothing`,
          { reason: 'bill_listed_not_found' },
        );
      }
      this.logger.warn({ billNo: order.billNo, xingchenId }, 'bill no longer in Xingchen: creating it again');
      const gone: LedgerRow = { ...base, xingchenId: null, syncedContentHash: null, pendingOperation: null };
      return this.create(session, gone, order, ids, true);
    }
    const draft = withStoredEntryIds(salesOrderDraft(order, ids, xingchenId), stored);
    if (storedMatchesDraft(stored, draft)) {
      await this.recordSynced(session, { ...base, xingchenId }, order);
      return 'unchanged';
    }
    if (stored.audited) {
      await session.put({
        ...base,
        xingchenId,
        status: 'audited_in_xingchen',
        pendingOperation: null,
        lastErrorCode: 'audited_in_xingchen',
        lastErrorMessage: `bill ${stored.billNo} is audited in Xingchen (status ${stored.status}): not modified`,
      });
      this.logger.warn(
        { billNo: order.billNo, xingchenId },
        'order audited in Xingchen: the newer WDT version is not applied',
      );
      return 'audited';
    }
    const intent: LedgerRow = { ...base, xingchenId, status: 'pending', pendingOperation: 'modify' };
    await session.putIntent(intent);
    const saved = await this.saveOnce(session, intent, order, draft, 'modify');
    if (saved.ok) return 'updated';
    return this.reject(session, { ...saved.tried, pendingOperation: null }, order, 'modify', saved.error);
  }

  private async resolve(
    session: LedgerSession,
    row: LedgerRow,
    order: NormalizedSalesOrder,
    fresh?: MasterKind[],
  ): Promise<ResolvedIds> {
    try {
      return await this.masterData.resolve(orderNumbers(order), { fresh });
    } catch (error) {
      if (error instanceof NonRetriableError && !(error instanceof FatalError)) {
        await session.put({
          ...row,
          status: 'rejected',
          lastErrorCode: errorCode(error),
          lastErrorMessage: clip(error.message),
        });
        this.logger.warn(
          { billNo: order.billNo, reason: error.reason, error: error.message },
          'order rejected: master data not found',
        );
      }
      throw error;
    }
  }

  /** Ids fetched afresh for every kind that came from the cache; null when nothing changed. */
  private async refreshMasterData(
    session: LedgerSession,
    row: LedgerRow,
    order: NormalizedSalesOrder,
    ids: ResolvedIds,
  ): Promise<ResolvedIds | null> {
    const kinds = (Object.keys(ids.cached) as MasterKind[]).filter((kind) => ids.cached[kind]);
    const numbers = orderNumbers(order);
    for (const kind of kinds) {
      const of =
        kind === 'customer' ? [numbers.customer] : kind === 'material' ? numbers.materials : numbers.stores;
      await this.masterData.invalidate(kind, of);
    }
    const fresh = await this.resolve(session, row, order, kinds);
    const changed =
      JSON.stringify(fresh.lines) !== JSON.stringify(ids.lines) || fresh.customerId !== ids.customerId;
    if (changed)
      this.logger.info(
        { billNo: order.billNo },
        'master data changed in Xingchen; saving again with fresh ids',
      );
    return changed ? fresh : null;
  }

  /**
   * One save. A definitive refusal is returned (the caller decides); every other failure leaves
   * the intent pending (the save may have been applied) and is thrown.
   */
  private async saveOnce(
    session: LedgerSession,
    intent: LedgerRow,
    order: NormalizedSalesOrder,
    draft: SalesOrderDraft,
    operation: 'create' | 'modify',
  ): Promise<{ ok: true } | { ok: false; tried: LedgerRow; error: NonRetriableError }> {
    const started = Date.now();
    const tried: LedgerRow = { ...intent, attempts: intent.attempts + 1 };
    try {
      const { id } = await this.xingchen.saveSalesOrder(draft);
      const synced = await this.recordSynced(session, { ...tried, xingchenId: id }, order);
      await this.attempt(session, synced, operation, 'success', started, id);
      this.observeLatency(order);
      return { ok: true };
    } catch (error) {
      if (error instanceof NonRetriableError && !(error instanceof FatalError)) {
        await this.attempt(session, tried, operation, 'business_error', started, draft.id ?? null, error);
        return { ok: false, tried, error };
      }
      if (error instanceof RetriableError || error instanceof FatalError) {
        await session.put({
          ...tried,
          lastErrorCode: errorCode(error),
          lastErrorMessage: clip(error.message),
        });
        const outcome: AttemptOutcome =
          error instanceof XingchenAmbiguousError
            ? 'ambiguous'
            : error instanceof FatalError
              ? 'fatal'
              : 'retriable_error';
        await this.attempt(session, tried, operation, outcome, started, draft.id ?? null, error);
      }
      throw error;
    }
  }

  private async recordSynced(
    session: LedgerSession,
    row: LedgerRow,
    order: NormalizedSalesOrder,
  ): Promise<LedgerRow> {
    const now = this.now();
    const synced: LedgerRow = {
      ...row,
      syncedContentHash: order.contentHash,
      status: 'synced',
      pendingOperation: null,
      lastErrorCode: null,
      lastErrorMessage: null,
      firstSyncedAt: row.firstSyncedAt ?? now,
      lastSyncedAt: now,
    };
    await session.put(synced);
    return synced;
  }

  /** The refusal is final: the ledger says `rejected` with the vendor's text, and the error goes to the DLQ. */
  private async reject(
    session: LedgerSession,
    row: LedgerRow,
    order: NormalizedSalesOrder,
    operation: 'create' | 'modify',
    error: NonRetriableError,
  ): Promise<never> {
    await session.put({
      ...row,
      status: 'rejected',
      pendingOperation: null,
      lastErrorCode: errorCode(error),
      lastErrorMessage: clip(error.message),
    });
    this.logger.warn(
      { billNo: order.billNo, operation, code: error.code, reason: error.reason },
      'order rejected by Xingchen',
    );
    throw error;
  }

  private async readStored(
    session: LedgerSession,
    row: LedgerRow,
    xingchenId: string,
  ): Promise<XingchenSalesOrder | null> {
    const started = Date.now();
    try {
      const stored = await this.xingchen.getSalesOrder(xingchenId);
      await this.attempt(session, row, 'detail', stored ? 'found' : 'absent', started, xingchenId);
      return stored;
    } catch (error) {
      if (error instanceof RetriableError || error instanceof FatalError) {
        await session.put({ ...row, lastErrorCode: errorCode(error), lastErrorMessage: clip(error.message) });
        await this.attempt(
          session,
          row,
          'detail',
          error instanceof FatalError ? 'fatal' : 'retriable_error',
          started,
          xingchenId,
          error,
        );
      }
      throw error;
    }
  }

  private async decideCancellation(
    session: LedgerSession,
    cancellation: OrderCancellation,
  ): Promise<LoaderOutcome> {
    const row = await session.get();
    const version = versionOf(cancellation);
    if (row && compareVersions(version, rowVersion(row)) < 0) return 'stale';
    const base = row ?? this.newRow(cancellation);
    await session.put({
      ...base,
      tradeId: cancellation.source.tradeId,
      status: 'cancelled_in_source',
      sourceModified: version.modified,
      sourceVersionId: version.versionId,
      cancelledAt: this.now(),
    });
    if (row?.xingchenId) {
      this.logger.warn(
        { billNo: cancellation.billNo, xingchenId: row.xingchenId },
        'synced order cancelled in WDT: recorded as cancelled_in_source',
      );
    } else {
      this.logger.info({ billNo: cancellation.billNo }, 'trade cancelled in WDT before any sync: noted');
    }
    return 'cancelled';
  }

  private async attempt(
    session: LedgerSession,
    row: LedgerRow,
    operation: AttemptOperation,
    outcome: AttemptOutcome,
    startedAt: number,
    xingchenId: string | null,
    error?: SyncError,
  ): Promise<void> {
    await session.appendAttempt({
      billNo: row.billNo,
      operation,
      outcome,
      xingchenId,
      contentHash: row.contentHash,
      sourceModified: row.sourceModified,
      errorCode: error ? errorCode(error) : null,
      errorMessage: error ? clip(error.message) : null,
      durationMs: Date.now() - startedAt,
    });
  }

  private observeLatency(order: NormalizedSalesOrder): void {
    const seconds = (this.now().getTime() - new Date(order.source.modified).getTime()) / 1000;
    if (seconds >= 0) this.metrics.syncLatency.observe(seconds);
  }
}
