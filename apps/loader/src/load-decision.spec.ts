import { NonRetriableError, RetriableError, type NormalizedSalesOrder } from '@app/contracts';
import { XingchenBusinessError, type XingchenSalesOrder } from '@app/xingchen-client';
import { newRow } from './ledger-rows';
import { decide, startState, type LoadState, type LoadStep } from './load-decision';
import { type LedgerRow, type ResolvedIds } from './loader.ports';

// One row of the decision table per case: what the loader knows → the step it takes next.

const NOW = new Date('2024-05-01T02:00:05Z');
const EARLIER = new Date('2024-05-01T01:00:00Z');
const hash = (c: string) => c.repeat(64);

function order(overrides: { modified?: string; contentHash?: string } = {}): NormalizedSalesOrder {
  return {
    kind: 'order',
    schemaVersion: 1,
    billNo: 'JY001',
    billDate: '2024-05-01',
    customerNumber: 'C1',
    lines: [
      {
        sourceRecId: '1',
        materialNumber: 'SKU-1',
        storeNumber: 'WH-1',
        qty: '2',
        taxPrice: '10',
        isFree: false,
        taxPercent: '13',
        shareAmount: '20',
      },
    ],
    source: {
      system: 'wdt',
      tradeId: 'T1',
      tradeNo: 'JY001',
      shopNo: 'S1',
      warehouseNo: 'WH-1',
      tradeStatus: 95,
      modified: overrides.modified ?? '2024-05-01T10:00:00+08:00',
    },
    contentHash: overrides.contentHash ?? hash('a'),
  };
}
const newer = order({ modified: '2024-05-01T11:00:00+08:00', contentHash: hash('b') });
const older = order({ modified: '2024-05-01T09:00:00+08:00', contentHash: hash('b') });

/** A synced row of `order()` (the bill X-1 holds content `a`). */
const row = (overrides: Partial<LedgerRow> = {}): LedgerRow => ({
  ...newRow(order()),
  status: 'synced',
  xingchenId: 'X-1',
  syncedContentHash: hash('a'),
  attempts: 1,
  firstSyncedAt: EARLIER,
  lastSyncedAt: EARLIER,
  ...overrides,
});
/** A create intent whose outcome is unknown. */
const pending = (overrides: Partial<LedgerRow> = {}) =>
  row({
    status: 'pending',
    pendingOperation: 'create',
    xingchenId: null,
    syncedContentHash: null,
    ...overrides,
  });

const ids = (material = 'm1', cached = true): ResolvedIds => ({
  customerId: 'c1',
  lines: [{ materialId: material, unitId: 'u1', storeId: 's1' }],
  cached: { customer: cached, material: cached, store: cached },
});
const line = {
  materialId: 'm1',
  storeId: 's1',
  qty: '2',
  unitId: 'u1',
  taxPrice: '10',
  isFree: false,
  taxPercent: '13',
};
const stored = (overrides: Partial<XingchenSalesOrder> = {}): XingchenSalesOrder => ({
  id: 'X-1',
  billNo: 'JY001',
  billDate: '2024-05-01',
  customerId: 'c1',
  audited: false,
  status: 'Z',
  customFields: {},
  lines: [{ ...line, qty: '1', entryId: 'E-1' }],
  ...overrides,
});
const refusal = new XingchenBusinessError('xingchen sal_order_save rejected: 商品不存在', {
  reason: 'business_error',
  errcode: 2003,
});
const unknownSku = new NonRetriableError('material (SKU) SKU-1 not found in Xingchen', {
  reason: 'unknown_material',
  code: 1001,
});
const modifyTarget = { xingchenId: 'X-1', adopted: false };
const adoptedTarget = { xingchenId: 'X-1', adopted: true };
const tried = (overrides: Partial<LedgerRow>) => row({ status: 'pending', attempts: 2, ...overrides });
const synced = (overrides: Partial<LedgerRow>) =>
  row({ status: 'synced', pendingOperation: null, lastSyncedAt: NOW, ...overrides });

/** Every field any step has. */
type StepKey = LoadStep extends infer S ? (S extends unknown ? keyof S : never) : never;
type Expected = Partial<Record<StepKey, unknown>>;
interface Case {
  /** The table's row. */
  when: string;
  state: LoadState;
  then: Expected & { kind: LoadStep['kind'] };
  /** Keys the step must not have (e.g. no row to write). */
  without?: string[];
}

const start = (o: NormalizedSalesOrder, r: LedgerRow | null) => startState(o, r);

// One builder per phase: the usual state of that phase, with what a row changes.
type StateOf<P extends LoadState['phase']> = Extract<LoadState, { phase: P }>;
const created = () => tried({ pendingOperation: 'create', xingchenId: null });
const savedState = (changes: Partial<StateOf<'saved'>> & Pick<StateOf<'saved'>, 'saved'>): LoadState => ({
  phase: 'saved',
  order: order(),
  row: created(),
  operation: 'create',
  ids: ids(),
  mayRefresh: true,
  ...changes,
});
const refusedLookedUp = (changes: Partial<StateOf<'refused-create-looked-up'>>): LoadState => ({
  phase: 'refused-create-looked-up',
  order: order(),
  row: tried({ xingchenId: null }),
  ids: ids(),
  mayRefresh: true,
  refusal,
  found: null,
  ...changes,
});
const freshMasterData = (answer: StateOf<'fresh-master-data'>['answer']): LoadState => ({
  phase: 'fresh-master-data',
  order: order(),
  row: tried({ xingchenId: null }),
  ids: ids(),
  refusal,
  answer,
});
const masterData = (
  answer: StateOf<'master-data'>['answer'],
  changes: Partial<StateOf<'master-data'>>,
): LoadState => ({ phase: 'master-data', order: order(), row: pending(), target: null, answer, ...changes });
const storedBill = (
  stored: XingchenSalesOrder | null,
  changes: Partial<StateOf<'stored-bill'>> = {},
): LoadState => ({
  phase: 'stored-bill',
  order: newer,
  row: row(),
  target: modifyTarget,
  ids: ids(),
  stored,
  ...changes,
});

const cases: Case[] = [
  // ---- start: the row as the ledger holds it ----
  {
    when: 'nothing in the ledger → resolve the numbers for a create',
    state: start(order(), null),
    then: {
      kind: 'resolve',
      invalidate: [],
      numbers: { customer: 'C1', materials: ['SKU-1'], stores: ['WH-1'] },
      next: {
        phase: 'master-data',
        target: null,
        row: expect.objectContaining({ status: 'pending', attempts: 0 }),
      },
    },
    without: ['fresh'],
  },
  {
    when: 'a pending create intent → look the bill number up first',
    state: start(order(), pending()),
    then: { kind: 'lookup', row: pending(), next: { phase: 'pending-create-looked-up', stale: false } },
  },
  {
    when: 'a pending create intent and an older incoming version → still the look-up, remembering stale',
    state: start(older, pending()),
    then: { kind: 'lookup', next: { phase: 'pending-create-looked-up', stale: true } },
  },
  {
    when: 'the ledger has a newer source version → stale, nothing written',
    state: start(older, row()),
    then: { kind: 'finish', outcome: 'stale' },
    without: ['row'],
  },
  {
    when: 'same content hash, same version → unchanged, nothing written',
    state: start(order(), row()),
    then: { kind: 'finish', outcome: 'unchanged' },
    without: ['row', 'latencyFrom'],
  },
  {
    when: 'same content hash, newer version → unchanged, the version recorded',
    state: start(order({ modified: '2024-05-01T10:30:00+08:00' }), row()),
    then: {
      kind: 'finish',
      outcome: 'unchanged',
      row: row({ sourceModified: new Date('2024-05-01T02:30:00Z') }),
    },
  },
  {
    when: 'same content hash on an audited row → unchanged, the row synced again without its error',
    state: start(order(), row({ status: 'audited_in_xingchen', lastErrorCode: 'audited_in_xingchen' })),
    then: { kind: 'finish', outcome: 'unchanged', row: row() },
  },
  {
    when: 'same content hash on a cancelled row → unchanged, the row stays cancelled',
    state: start(order({ modified: '2024-05-01T10:30:00+08:00' }), row({ status: 'cancelled_in_source' })),
    then: {
      kind: 'finish',
      outcome: 'unchanged',
      row: expect.objectContaining({ status: 'cancelled_in_source' }),
    },
  },
  {
    when: 'an older ledger version and another hash → resolve for a modify by id',
    state: start(newer, row()),
    then: {
      kind: 'resolve',
      next: {
        phase: 'master-data',
        target: modifyTarget,
        row: row({ contentHash: hash('b'), sourceModified: new Date('2024-05-01T03:00:00Z') }),
      },
    },
  },
  {
    when: 'a pending modify → repeated (a modify by id is idempotent), no look-up',
    state: start(newer, row({ status: 'pending', pendingOperation: 'modify', contentHash: hash('b') })),
    then: { kind: 'resolve', next: { phase: 'master-data', target: modifyTarget } },
  },
  {
    when: 'a row without a Xingchen id (rejected earlier) → resolve for a create',
    state: start(newer, row({ status: 'rejected', xingchenId: null })),
    then: { kind: 'resolve', next: { phase: 'master-data', target: null } },
  },
  // ---- the look-up of a pending create ----
  {
    when: 'pending create, found, same content → adopt its id → created',
    state: { phase: 'pending-create-looked-up', order: order(), row: pending(), stale: false, found: 'X-9' },
    then: {
      kind: 'finish',
      outcome: 'created',
      row: synced({ xingchenId: 'X-9', syncedContentHash: hash('a'), attempts: 1, firstSyncedAt: EARLIER }),
      latencyFrom: '2024-05-01T10:00:00+08:00',
    },
  },
  {
    when: 'pending create, found, older incoming version → adopt its id → stale',
    state: { phase: 'pending-create-looked-up', order: older, row: pending(), stale: true, found: 'X-9' },
    then: {
      kind: 'finish',
      outcome: 'stale',
      row: synced({ xingchenId: 'X-9', syncedContentHash: hash('a') }),
    },
    without: ['latencyFrom'],
  },
  {
    when: 'pending create, found, other content → adopt its id and resolve for a modify',
    state: { phase: 'pending-create-looked-up', order: newer, row: pending(), stale: false, found: 'X-9' },
    then: {
      kind: 'resolve',
      next: {
        phase: 'master-data',
        target: { xingchenId: 'X-9', adopted: false },
        row: expect.objectContaining({
          xingchenId: 'X-9',
          syncedContentHash: hash('a'),
          contentHash: hash('b'),
        }),
      },
    },
  },
  {
    when: 'pending create, absent, older incoming version → stale, the intent stays',
    state: { phase: 'pending-create-looked-up', order: older, row: pending(), stale: true, found: null },
    then: { kind: 'finish', outcome: 'stale' },
    without: ['row'],
  },
  {
    when: 'pending create, absent → resolve for a create',
    state: { phase: 'pending-create-looked-up', order: order(), row: pending(), stale: false, found: null },
    then: {
      kind: 'resolve',
      next: { phase: 'master-data', target: null, row: expect.objectContaining({ pendingOperation: null }) },
    },
  },
  // ---- master data ----
  {
    when: 'an unknown number → rejected before any save, naming it',
    state: masterData({ refused: unknownSku }, {}),
    then: {
      kind: 'reject',
      error: unknownSku,
      row: pending({ status: 'rejected', lastErrorCode: '1001', lastErrorMessage: unknownSku.message }),
      log: expect.objectContaining({ level: 'warn', message: 'order rejected: master data not found' }),
    },
  },
  {
    when: 'ids for a create → intent, then one create',
    state: masterData({ ids: ids() }, { row: row({ xingchenId: null }) }),
    then: {
      kind: 'save',
      operation: 'create',
      intent: row({ status: 'pending', pendingOperation: 'create', xingchenId: null }),
      tried: row({ status: 'pending', pendingOperation: 'create', xingchenId: null, attempts: 2 }),
      draft: { billNo: 'JY001', billDate: '2024-05-01', customerId: 'c1', customFields: {}, lines: [line] },
      next: { phase: 'saved', operation: 'create', mayRefresh: true },
    },
  },
  {
    when: 'ids for a modify → read the stored bill first',
    state: masterData({ ids: ids() }, { order: newer, row: row(), target: modifyTarget }),
    then: {
      kind: 'read',
      xingchenId: 'X-1',
      row: row(),
      next: { phase: 'stored-bill', target: modifyTarget },
    },
  },
  // ---- the stored bill of a modify ----
  {
    when: 'the stored bill already holds this content → recorded → unchanged',
    state: storedBill(stored({ lines: [{ ...line, qty: '2.00', entryId: 'E-1' }] }), {
      row: row({ contentHash: hash('b') }),
    }),
    then: {
      kind: 'finish',
      outcome: 'unchanged',
      row: synced({ contentHash: hash('b'), syncedContentHash: hash('b') }),
    },
    without: ['latencyFrom'],
  },
  {
    when: 'the stored bill is audited → never modified → audited',
    state: storedBill(stored({ audited: true, status: 'C' }), { row: row({ contentHash: hash('b') }) }),
    then: {
      kind: 'finish',
      outcome: 'audited',
      row: row({
        contentHash: hash('b'),
        status: 'audited_in_xingchen',
        lastErrorCode: 'audited_in_xingchen',
        lastErrorMessage: 'bill JY001 is audited in Xingchen (status C): not modified',
      }),
      log: expect.objectContaining({ level: 'warn' }),
    },
  },
  {
    when: 'the stored bill differs → intent, then modify by id with the stored entry ids',
    state: storedBill(stored()),
    then: {
      kind: 'save',
      operation: 'modify',
      intent: row({ status: 'pending', pendingOperation: 'modify' }),
      tried: tried({ pendingOperation: 'modify' }),
      draft: expect.objectContaining({ id: 'X-1', lines: [{ ...line, entryId: 'E-1' }] }),
      next: { phase: 'saved', operation: 'modify' },
    },
  },
  {
    when: 'the bill is gone from Xingchen → created again',
    state: storedBill(null),
    then: {
      kind: 'save',
      operation: 'create',
      intent: row({
        status: 'pending',
        pendingOperation: 'create',
        xingchenId: null,
        syncedContentHash: null,
      }),
      draft: expect.not.objectContaining({ id: expect.anything() }),
      log: expect.objectContaining({ message: 'bill no longer in Xingchen: creating it again' }),
      next: { phase: 'saved', operation: 'create', mayRefresh: true },
    },
  },
  {
    when: 'an adopted bill the list finds but whose detail does not → retriable, no loop of creates',
    state: storedBill(null, { order: order(), target: adoptedTarget }),
    then: { kind: 'retry', error: expect.objectContaining({ reason: 'bill_listed_not_found' }) },
  },
  // ---- the save's answer ----
  {
    when: 'a create saved → the id stored → created',
    state: savedState({ saved: { id: 'X-7' } }),
    then: {
      kind: 'finish',
      outcome: 'created',
      row: synced({ xingchenId: 'X-7', attempts: 2 }),
      latencyFrom: '2024-05-01T10:00:00+08:00',
    },
  },
  {
    when: 'a modify saved → updated',
    state: savedState({
      order: newer,
      row: tried({ pendingOperation: 'modify', contentHash: hash('b') }),
      operation: 'modify',
      mayRefresh: false,
      saved: { id: 'X-1' },
    }),
    then: {
      kind: 'finish',
      outcome: 'updated',
      row: synced({ attempts: 2, contentHash: hash('b'), syncedContentHash: hash('b') }),
    },
  },
  {
    when: 'a modify refused → rejected with the vendor text (DLQ), no look-up',
    state: savedState({
      order: newer,
      row: tried({ pendingOperation: 'modify' }),
      operation: 'modify',
      mayRefresh: false,
      saved: { refused: refusal },
    }),
    then: {
      kind: 'reject',
      error: refusal,
      row: tried({ status: 'rejected', lastErrorCode: '2003', lastErrorMessage: refusal.message }),
      log: expect.objectContaining({ message: 'order rejected by Xingchen' }),
    },
  },
  {
    when: 'a create refused → one look-up of the bill number',
    state: savedState({ saved: { refused: refusal } }),
    then: {
      kind: 'lookup',
      row: tried({ xingchenId: null }),
      next: { phase: 'refused-create-looked-up', refusal, mayRefresh: true },
    },
  },
  // ---- the look-up after a refused create ----
  {
    when: 'refused create, found → adopt it: read its detail (it must exist)',
    state: refusedLookedUp({ found: 'X-8' }),
    then: {
      kind: 'read',
      xingchenId: 'X-8',
      row: tried({ xingchenId: 'X-8' }),
      log: expect.objectContaining({ level: 'info' }),
      next: { phase: 'stored-bill', target: { xingchenId: 'X-8', adopted: true } },
    },
  },
  {
    when: 'refused create, absent, ids from the cache → invalidate every cached kind, resolve afresh',
    state: refusedLookedUp({}),
    then: {
      kind: 'resolve',
      invalidate: [
        ['customer', ['C1']],
        ['material', ['SKU-1']],
        ['store', ['WH-1']],
      ],
      fresh: ['customer', 'material', 'store'],
      next: { phase: 'fresh-master-data', refusal },
    },
  },
  {
    when: 'refused create, absent, ids fetched just now → rejected',
    state: refusedLookedUp({ ids: ids('m1', false) }),
    then: {
      kind: 'reject',
      error: refusal,
      row: expect.objectContaining({ status: 'rejected', attempts: 2 }),
    },
  },
  {
    when: 'refused create, absent, master data already fetched afresh once → rejected',
    state: refusedLookedUp({ mayRefresh: false }),
    then: { kind: 'reject', error: refusal },
  },
  // ---- master data fetched afresh after a refused create ----
  {
    when: 'fresh ids differ → create again, never refreshing twice',
    state: freshMasterData({ ids: ids('m2') }),
    then: {
      kind: 'save',
      operation: 'create',
      draft: expect.objectContaining({ lines: [{ ...line, materialId: 'm2' }] }),
      log: expect.objectContaining({
        message: 'master data changed in Xingchen; saving again with fresh ids',
      }),
      next: { phase: 'saved', mayRefresh: false },
    },
  },
  {
    when: 'fresh ids the same → rejected without another save',
    state: freshMasterData({ ids: ids('m1', false) }),
    then: { kind: 'reject', error: refusal, row: expect.objectContaining({ lastErrorCode: '2003' }) },
  },
  {
    when: 'a number unknown when fetched afresh → rejected naming it',
    state: freshMasterData({ refused: unknownSku }),
    then: { kind: 'reject', error: unknownSku, row: expect.objectContaining({ lastErrorCode: '1001' }) },
  },
  // ---- cancellations ----
  {
    when: 'a cancellation of a synced order → cancelled_in_source, warned',
    state: { phase: 'cancellation', cancellation: cancellationOf(), row: row() },
    then: {
      kind: 'finish',
      outcome: 'cancelled',
      row: row({
        status: 'cancelled_in_source',
        sourceModified: new Date('2024-05-01T04:00:00Z'),
        cancelledAt: NOW,
      }),
      log: expect.objectContaining({ level: 'warn' }),
    },
  },
  {
    when: 'a cancellation of a trade never synced → only noted',
    state: { phase: 'cancellation', cancellation: cancellationOf(), row: null },
    then: {
      kind: 'finish',
      outcome: 'cancelled',
      row: expect.objectContaining({ status: 'cancelled_in_source', xingchenId: null, contentHash: null }),
      log: expect.objectContaining({ level: 'info' }),
    },
  },
  {
    when: 'a cancellation older than the ledger → stale',
    state: { phase: 'cancellation', cancellation: cancellationOf('2024-05-01T09:00:00+08:00'), row: row() },
    then: { kind: 'finish', outcome: 'stale' },
    without: ['row'],
  },
];

function cancellationOf(modified = '2024-05-01T12:00:00+08:00') {
  return {
    kind: 'cancellation' as const,
    schemaVersion: 1 as const,
    billNo: 'JY001',
    source: {
      system: 'wdt' as const,
      tradeId: 'T1',
      tradeNo: 'JY001',
      shopNo: 'S1',
      warehouseNo: 'WH-1',
      tradeStatus: 5,
      modified,
    },
  };
}

describe('the loader decision table (pure)', () => {
  it.each(cases)('$when', ({ state, then, without = [] }) => {
    const step = decide(state, NOW);
    expect(step).toMatchObject(then);
    for (const key of without) expect(step).not.toHaveProperty(key);
  });

  it('every phase of the state has a row in the table', () => {
    const phases = new Set(cases.map((c) => c.state.phase));
    expect([...phases].sort()).toEqual(
      [
        'cancellation',
        'fresh-master-data',
        'master-data',
        'pending-create-looked-up',
        'refused-create-looked-up',
        'saved',
        'start',
        'stored-bill',
      ].sort(),
    );
  });

  it('is pure: the same state gives the same step and is left as it was', () => {
    const state = start(newer, row());
    const copy = structuredClone(state);
    expect(decide(state, NOW)).toEqual(decide(state, NOW));
    expect(state).toEqual(copy);
  });

  it('a retry carries a retriable error', () => {
    const step = decide(storedBill(null, { order: order(), target: adoptedTarget }), NOW);
    expect(step.kind === 'retry' && step.error).toBeInstanceOf(RetriableError);
  });
});
