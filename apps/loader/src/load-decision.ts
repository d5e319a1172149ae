import {
  RetriableError,
  type LoaderOutcome,
  type NonRetriableError,
  type NormalizedSalesOrder,
  type OrderCancellation,
} from '@app/contracts';
import { type SalesOrderDraft, type XingchenSalesOrder } from '@app/xingchen-client';
import {
  accept,
  compareVersions,
  newRow,
  rejectedRow,
  rowVersion,
  syncedRow,
  versionColumns,
  versionOf,
} from './ledger-rows';
import { type LedgerRow, type MasterKind, type ResolvedIds } from './loader.ports';
import { orderNumbers, salesOrderDraft, storedMatchesDraft, withStoredEntryIds } from './sales-order-draft';

/**
 * The loader's decision table (docs: mapping.md "Loader decisions", docs/xingchen.md "apps/loader")
 * as a pure function: what the loader knows of one bill → the next step. `load-steps.ts` performs
 * the steps (Xingchen, master data, ledger) and hands each answer back in the next state.
 */

/**
 * A bound on the steps of one order. The longest path of the table takes 11: pending create →
 * look-up (found, other content) → resolve → read (gone) → create refused → look-up (absent) →
 * resolve afresh → create refused → look-up (found) → read → modify → finish.
 */
export const MAX_LOAD_STEPS = 16;

/** The bill a save ahead modifies; `adopted`: found by its number after a refused create. */
export interface ModifyTarget {
  xingchenId: string;
  adopted: boolean;
}

/** A master-data answer: the ids, or a refusal naming the unknown number. */
export type MasterDataAnswer = { ids: ResolvedIds } | { refused: NonRetriableError };

/** A save's answer: the bill's id, or Xingchen's business refusal. */
export type SaveAnswer = { id: string } | { refused: NonRetriableError };

/** What the decision knows of one bill, and the answer to the last question it asked. */
export type LoadState =
  /** The bill's row as the ledger holds it (null: a new bill); `stale`: the ledger's version is newer. */
  | { phase: 'start'; order: NormalizedSalesOrder; row: LedgerRow | null; stale: boolean }
  /** An earlier create's outcome is unknown: the bill-number look-up's answer (`found`: its id). */
  | {
      phase: 'pending-create-looked-up';
      order: NormalizedSalesOrder;
      row: LedgerRow;
      stale: boolean;
      found: string | null;
    }
  /** The master data of the save ahead: a create (no target) or a modify of `target`. */
  | {
      phase: 'master-data';
      order: NormalizedSalesOrder;
      row: LedgerRow;
      target: ModifyTarget | null;
      answer: MasterDataAnswer;
    }
  /** The bill a modify would change, as Xingchen holds it (null: gone). */
  | {
      phase: 'stored-bill';
      order: NormalizedSalesOrder;
      row: LedgerRow;
      target: ModifyTarget;
      ids: ResolvedIds;
      stored: XingchenSalesOrder | null;
    }
  /** A create or modify was made (`row`: the row with the attempt counted). */
  | {
      phase: 'saved';
      order: NormalizedSalesOrder;
      row: LedgerRow;
      operation: 'create' | 'modify';
      ids: ResolvedIds;
      mayRefresh: boolean;
      saved: SaveAnswer;
    }
  /** A create was refused: the bill-number look-up's answer. */
  | {
      phase: 'refused-create-looked-up';
      order: NormalizedSalesOrder;
      row: LedgerRow;
      ids: ResolvedIds;
      mayRefresh: boolean;
      refusal: NonRetriableError;
      found: string | null;
    }
  /** A create was refused and the bill is absent: the cached master data fetched afresh. */
  | {
      phase: 'fresh-master-data';
      order: NormalizedSalesOrder;
      row: LedgerRow;
      ids: ResolvedIds;
      refusal: NonRetriableError;
      answer: MasterDataAnswer;
    }
  /** A cancellation: the bill's row as the ledger holds it. */
  | { phase: 'cancellation'; cancellation: OrderCancellation; row: LedgerRow | null };

type Phase = LoadState['phase'];
/** The state a step continues in, without the answer the step brings. */
type Awaiting<P extends Phase, Answer extends string> = P extends Phase
  ? Omit<Extract<LoadState, { phase: P }>, Answer>
  : never;

/** A fixed log message with its context, written when the step is taken. */
export interface LogNote {
  level: 'info' | 'warn';
  context: Record<string, unknown>;
  message: string;
}

export type LoadStep =
  /** Look the bill number up in Xingchen (a failure is recorded on `row`). */
  | {
      kind: 'lookup';
      row: LedgerRow;
      log?: LogNote;
      next: Awaiting<'pending-create-looked-up' | 'refused-create-looked-up', 'found'>;
    }
  /** Resolve the order's numbers (after dropping the `invalidate` entries; `fresh` kinds bypass the cache). */
  | {
      kind: 'resolve';
      numbers: ReturnType<typeof orderNumbers>;
      invalidate: Array<[MasterKind, string[]]>;
      fresh?: MasterKind[];
      log?: LogNote;
      next: Awaiting<'master-data' | 'fresh-master-data', 'answer'>;
    }
  /** Read the stored bill (a failure is recorded on `row`). */
  | {
      kind: 'read';
      row: LedgerRow;
      xingchenId: string;
      log?: LogNote;
      next: Awaiting<'stored-bill', 'stored'>;
    }
  /** Write the intent durably, then save once; `tried` is the row with the call counted. */
  | {
      kind: 'save';
      operation: 'create' | 'modify';
      intent: LedgerRow;
      tried: LedgerRow;
      draft: SalesOrderDraft;
      log?: LogNote;
      next: Awaiting<'saved', 'saved'>;
    }
  /** Done: record `row` (when given), observe the sync latency from WDT's `latencyFrom`, return `outcome`. */
  | { kind: 'finish'; outcome: LoaderOutcome; row?: LedgerRow; latencyFrom?: string; log?: LogNote }
  /** A final refusal: record `row` and throw `error` (it goes to the DLQ). */
  | { kind: 'reject'; row: LedgerRow; error: NonRetriableError; log: LogNote }
  /** Ask again later: throw `error` and leave the ledger as it is. */
  | { kind: 'retry'; error: RetriableError; log?: LogNote };

/** The first state of an order, from the bill's row. */
export function startState(order: NormalizedSalesOrder, row: LedgerRow | null): LoadState {
  const stale = row !== null && compareVersions(versionOf(order), rowVersion(row)) < 0;
  return { phase: 'start', order, row, stale };
}

/** The next step: a pure function of what is known (`now` stamps synced and cancelled rows). */
export function decide(state: LoadState, now: Date): LoadStep {
  switch (state.phase) {
    case 'start':
      return fromLedger(state);
    case 'pending-create-looked-up':
      return afterPendingLookup(state, now);
    case 'master-data':
      return withMasterData(state);
    case 'stored-bill':
      return withStoredBill(state, now);
    case 'saved':
      return afterSave(state, now);
    case 'refused-create-looked-up':
      return afterRefusedLookup(state);
    case 'fresh-master-data':
      return withFreshMasterData(state);
    case 'cancellation':
      return cancel(state, now);
  }
}

type In<P extends Phase> = Extract<LoadState, { phase: P }>;

function fromLedger({ order, row, stale }: In<'start'>): LoadStep {
  if (row?.pendingOperation === 'create')
    return { kind: 'lookup', row, next: { phase: 'pending-create-looked-up', order, row, stale } };
  if (stale) return { kind: 'finish', outcome: 'stale' };
  if (row?.pendingOperation === 'modify' && row.xingchenId)
    return prepareSave(order, row, { xingchenId: row.xingchenId, adopted: false });
  if (row?.xingchenId) {
    if (row.syncedContentHash === order.contentHash) return unchanged(order, row);
    return prepareSave(order, row, { xingchenId: row.xingchenId, adopted: false });
  }
  return prepareSave(order, row, null);
}

/** Same content as synced: only a newer version, a changed status or hash is recorded. */
function unchanged(order: NormalizedSalesOrder, row: LedgerRow): LoadStep {
  const next: LedgerRow = {
    ...accept(row, order),
    status: row.status === 'cancelled_in_source' ? row.status : 'synced',
    lastErrorCode: row.status === 'synced' ? row.lastErrorCode : null,
    lastErrorMessage: row.status === 'synced' ? row.lastErrorMessage : null,
  };
  const changed =
    compareVersions(versionOf(order), rowVersion(row)) !== 0 ||
    next.status !== row.status ||
    row.contentHash !== order.contentHash;
  return { kind: 'finish', outcome: 'unchanged', ...(changed ? { row: next } : {}) };
}

/** Resolve the numbers of the save ahead: a create (no target) or a modify of `target`. */
function prepareSave(
  order: NormalizedSalesOrder,
  row: LedgerRow | null,
  target: ModifyTarget | null,
): LoadStep {
  const accepted = accept(row, order);
  return {
    kind: 'resolve',
    numbers: orderNumbers(order),
    invalidate: [],
    next: { phase: 'master-data', order, row: accepted, target },
  };
}

function afterPendingLookup(
  { order, row, stale, found }: In<'pending-create-looked-up'>,
  now: Date,
): LoadStep {
  if (found) {
    // the only create under this intent carried the intent's content
    const adopted: LedgerRow = {
      ...row,
      xingchenId: found,
      syncedContentHash: row.contentHash,
      pendingOperation: null,
    };
    if (stale || row.contentHash === order.contentHash) {
      const synced = syncedRow(adopted, row.contentHash, now);
      return stale
        ? { kind: 'finish', outcome: 'stale', row: synced }
        : { kind: 'finish', outcome: 'created', row: synced, latencyFrom: order.source.modified };
    }
    return prepareSave(order, adopted, { xingchenId: found, adopted: false });
  }
  if (stale) return { kind: 'finish', outcome: 'stale' };
  return prepareSave(order, { ...row, pendingOperation: null }, null);
}

/** Master data not found: the ledger says `rejected`, the error goes to the DLQ. */
function masterDataRejected(order: NormalizedSalesOrder, row: LedgerRow, error: NonRetriableError): LoadStep {
  return {
    kind: 'reject',
    row: rejectedRow(row, error),
    error,
    log: {
      level: 'warn',
      context: { billNo: order.billNo, reason: error.reason, error: error.message },
      message: 'order rejected: master data not found',
    },
  };
}

function withMasterData({ order, row, target, answer }: In<'master-data'>): LoadStep {
  if ('refused' in answer) return masterDataRejected(order, row, answer.refused);
  if (target)
    return {
      kind: 'read',
      row,
      xingchenId: target.xingchenId,
      next: { phase: 'stored-bill', order, row, target, ids: answer.ids },
    };
  return create(order, row, answer.ids, true);
}

/** Intent, then one create. */
function create(
  order: NormalizedSalesOrder,
  base: LedgerRow,
  ids: ResolvedIds,
  mayRefresh: boolean,
  log?: LogNote,
): LoadStep {
  const intent = { ...base, status: 'pending', pendingOperation: 'create', xingchenId: null } as const;
  return save(order, intent, salesOrderDraft(order, ids), { ids, mayRefresh, log });
}

/** The intent (durable before the call), then one save of `draft`; the answer counts the attempt. */
function save(
  order: NormalizedSalesOrder,
  intent: LedgerRow & { pendingOperation: 'create' | 'modify' },
  draft: SalesOrderDraft,
  { ids, mayRefresh, log }: { ids: ResolvedIds; mayRefresh: boolean; log?: LogNote },
): LoadStep {
  const operation = intent.pendingOperation;
  const tried: LedgerRow = { ...intent, attempts: intent.attempts + 1 };
  return {
    kind: 'save',
    operation,
    intent,
    tried,
    draft,
    ...(log ? { log } : {}),
    next: { phase: 'saved', order, row: tried, operation, ids, mayRefresh },
  };
}

/**
 * The stored bill decides the modify: one that already holds this content is only recorded; an
 * audited bill is never modified (recorded as such); a bill gone from Xingchen is created again;
 * the lines reuse the stored entry ids so that they replace the stored lines.
 */
function withStoredBill({ order, row, target, ids, stored }: In<'stored-bill'>, now: Date): LoadStep {
  const { xingchenId } = target;
  if (!stored) {
    // the list found the bill but its detail does not: ask again later, never loop create ↔ adopt
    if (target.adopted)
      return {
        kind: 'retry',
        error: new RetriableError(
          `xingchen lists bill ${order.billNo} as ${xingchenId} but its detail finds nothing`,
          { reason: 'bill_listed_not_found' },
        ),
      };
    const gone: LedgerRow = { ...row, xingchenId: null, syncedContentHash: null, pendingOperation: null };
    return create(order, gone, ids, true, {
      level: 'warn',
      context: { billNo: order.billNo, xingchenId },
      message: 'bill no longer in Xingchen: creating it again',
    });
  }
  const draft = withStoredEntryIds(salesOrderDraft(order, ids, xingchenId), stored);
  if (storedMatchesDraft(stored, draft))
    return {
      kind: 'finish',
      outcome: 'unchanged',
      row: syncedRow({ ...row, xingchenId }, order.contentHash, now),
    };
  if (stored.audited) return audited(order, row, stored, xingchenId);
  const intent = { ...row, xingchenId, status: 'pending', pendingOperation: 'modify' } as const;
  return save(order, intent, draft, { ids, mayRefresh: false });
}

function audited(
  order: NormalizedSalesOrder,
  row: LedgerRow,
  stored: XingchenSalesOrder,
  xingchenId: string,
): LoadStep {
  return {
    kind: 'finish',
    outcome: 'audited',
    row: {
      ...row,
      xingchenId,
      status: 'audited_in_xingchen',
      pendingOperation: null,
      lastErrorCode: 'audited_in_xingchen',
      lastErrorMessage: `bill ${stored.billNo} is audited in Xingchen (status ${stored.status}): not modified`,
    },
    log: {
      level: 'warn',
      context: { billNo: order.billNo, xingchenId },
      message: 'order audited in Xingchen: the newer WDT version is not applied',
    },
  };
}

/** The refusal is final: the ledger says `rejected` with the vendor's text, and the error goes to the DLQ. */
function saveRejected(
  order: NormalizedSalesOrder,
  row: LedgerRow,
  operation: 'create' | 'modify',
  error: NonRetriableError,
): LoadStep {
  return {
    kind: 'reject',
    row: rejectedRow({ ...row, pendingOperation: null }, error),
    error,
    log: {
      level: 'warn',
      context: { billNo: order.billNo, operation, code: error.code, reason: error.reason },
      message: 'order rejected by Xingchen',
    },
  };
}

/**
 * A refused modify is final. A refused create is followed by one look-up of the bill number (the
 * vendor's business codes are not public, so none of them decides anything).
 */
function afterSave({ order, row, operation, ids, mayRefresh, saved }: In<'saved'>, now: Date): LoadStep {
  if ('id' in saved) {
    const outcome = operation === 'create' ? 'created' : 'updated';
    const synced = syncedRow({ ...row, xingchenId: saved.id }, order.contentHash, now);
    return { kind: 'finish', outcome, row: synced, latencyFrom: order.source.modified };
  }
  if (operation === 'modify') return saveRejected(order, row, operation, saved.refused);
  const settled: LedgerRow = { ...row, pendingOperation: null };
  return {
    kind: 'lookup',
    row: settled,
    next: { phase: 'refused-create-looked-up', order, row: settled, ids, mayRefresh, refusal: saved.refused },
  };
}

/**
 * After a refused create: found → adopt it (modify, or record it when it already holds this
 * content); absent → master data from the cache is fetched afresh once, else the refusal is final.
 */
function afterRefusedLookup(state: In<'refused-create-looked-up'>): LoadStep {
  const { order, row, ids, refusal, found } = state;
  if (found) {
    const adopted: LedgerRow = { ...row, xingchenId: found };
    return {
      kind: 'read',
      row: adopted,
      xingchenId: found,
      log: {
        level: 'info',
        context: { billNo: order.billNo, xingchenId: found },
        message: 'create refused and the bill number is in Xingchen: adopting it',
      },
      next: { phase: 'stored-bill', order, row: adopted, target: { xingchenId: found, adopted: true }, ids },
    };
  }
  const kinds = (Object.keys(ids.cached) as MasterKind[]).filter((kind) => ids.cached[kind]);
  if (!state.mayRefresh || kinds.length === 0) return saveRejected(order, row, 'create', refusal);
  const numbers = orderNumbers(order);
  const of = (kind: MasterKind) =>
    kind === 'customer' ? [numbers.customer] : kind === 'material' ? numbers.materials : numbers.stores;
  return {
    kind: 'resolve',
    numbers,
    invalidate: kinds.map((kind) => [kind, of(kind)]),
    fresh: kinds,
    next: { phase: 'fresh-master-data', order, row, ids, refusal },
  };
}

/** Fresh ids that differ from the cached ones are saved once more; the same ids make the refusal final. */
function withFreshMasterData({ order, row, ids, refusal, answer }: In<'fresh-master-data'>): LoadStep {
  if ('refused' in answer) return masterDataRejected(order, row, answer.refused);
  const fresh = answer.ids;
  const changed =
    JSON.stringify(fresh.lines) !== JSON.stringify(ids.lines) || fresh.customerId !== ids.customerId;
  if (!changed) return saveRejected(order, row, 'create', refusal);
  return create(order, row, fresh, false, {
    level: 'info',
    context: { billNo: order.billNo },
    message: 'master data changed in Xingchen; saving again with fresh ids',
  });
}

/** A cancellation is recorded (`cancelled_in_source`) unless the ledger holds a newer version. */
function cancel({ cancellation, row }: In<'cancellation'>, now: Date): LoadStep {
  if (row && compareVersions(versionOf(cancellation), rowVersion(row)) < 0)
    return { kind: 'finish', outcome: 'stale' };
  return {
    kind: 'finish',
    outcome: 'cancelled',
    row: {
      ...(row ?? newRow(cancellation)),
      tradeId: cancellation.source.tradeId,
      status: 'cancelled_in_source',
      ...versionColumns(cancellation),
      cancelledAt: now,
    },
    log: row?.xingchenId
      ? {
          level: 'warn',
          context: { billNo: cancellation.billNo, xingchenId: row.xingchenId },
          message: 'synced order cancelled in WDT: recorded as cancelled_in_source',
        }
      : {
          level: 'info',
          context: { billNo: cancellation.billNo },
          message: 'trade cancelled in WDT before any sync: noted',
        },
  };
}
