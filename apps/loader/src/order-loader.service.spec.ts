import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import {
  NonRetriableError,
  RetriableError,
  type NormalizedSalesOrder,
  type OrderCancellation,
} from '@app/contracts';
import { createLogger, createMetrics, type Metrics } from '@app/observability';
import {
  XingchenAmbiguousError,
  XingchenBusinessError,
  type SalesOrderDraft,
  type SaveResult,
  type XingchenSalesOrder,
  type XingchenSalesOrderSummary,
} from '@app/xingchen-client';
import {
  type AttemptRecord,
  type LedgerRow,
  type LedgerSession,
  type LedgerStore,
  type MasterDataResolverPort,
  type MasterKind,
  type ResolvedIds,
  type XingchenPort,
} from './loader.ports';
import { compareVersions, OrderLoader } from './order-loader.service';

// ---------- typed fakes ----------

/** `rows` is what is durable: `put` becomes durable when the session ends, `putIntent` at once. */
class FakeLedger implements LedgerStore {
  rows = new Map<string, LedgerRow>();
  attempts: AttemptRecord[] = [];
  puts: LedgerRow[] = [];
  async withBill<T>(billNo: string, work: (session: LedgerSession) => Promise<T>): Promise<T> {
    let current = this.rows.get(billNo) ?? null;
    let unwritten: LedgerRow | null = null;
    const record = (row: LedgerRow) => {
      current = { ...row };
      unwritten = current;
      this.puts.push({ ...row });
    };
    const flush = () => {
      if (unwritten) this.rows.set(billNo, { ...unwritten });
      unwritten = null;
    };
    try {
      return await work({
        get: async () => current && { ...current },
        put: async (row) => record(row),
        putIntent: async (row) => {
          record(row);
          flush();
        },
        appendAttempt: async (attempt) => {
          this.attempts.push(attempt);
        },
      });
    } finally {
      flush();
    }
  }
}

type SaveScript = (draft: SalesOrderDraft) => SaveResult | Error;

/** Refusal of a vendor business rule; its code means nothing to the loader. */
const refusal = (text: string, errcode = 9999) =>
  new XingchenBusinessError(`xingchen sal_order_save rejected: ${text}`, {
    reason: 'business_error',
    errcode,
  });

/**
 * A V1 Xingchen holding the bills it saved (keyed by bill number) with generated entry ids
 * `E-<billNo>-<n>`. A create of a bill number it already holds, and a modify of an audited or
 * unknown bill, are refused like the real one does.
 */
class FakeXingchen implements XingchenPort {
  readonly family = 'v1' as const;
  saves: Array<{ draft: SalesOrderDraft; ledgerAtCall: LedgerRow | undefined }> = [];
  lookups: string[] = [];
  details: string[] = [];
  orders = new Map<string, XingchenSalesOrder>(); // billNo → stored bill
  audited = new Set<string>(); // bill numbers audited in Xingchen
  script: SaveScript[] = [];
  lookupError?: Error;
  detailError?: Error;
  private readonly entries = new Map<string, number>(); // billNo → last entry number
  private readonly creates = new Map<string, number>(); // billNo → bills created under it
  constructor(private readonly ledger: FakeLedger) {}

  /** Stores `draft` as the bill `id` (a modify keeps the entry ids it carries). */
  store(draft: SalesOrderDraft, id: string): XingchenSalesOrder {
    const entryId = () => {
      const n = (this.entries.get(draft.billNo) ?? 0) + 1;
      this.entries.set(draft.billNo, n);
      return `E-${draft.billNo}-${n}`;
    };
    const stored: XingchenSalesOrder = {
      id,
      billNo: draft.billNo,
      billDate: draft.billDate,
      customerId: draft.customerId,
      audited: false,
      status: 'Z',
      ...(draft.remark ? { remark: draft.remark } : {}),
      customFields: { ...draft.customFields },
      lines: draft.lines.map(({ entryId: given, ...line }) => ({ ...line, entryId: given ?? entryId() })),
    };
    this.orders.set(draft.billNo, stored);
    return stored;
  }

  async saveSalesOrder(draft: SalesOrderDraft): Promise<SaveResult> {
    this.saves.push({
      draft: structuredClone(draft),
      ledgerAtCall: this.ledger.rows.get(draft.billNo) && { ...this.ledger.rows.get(draft.billNo)! },
    });
    const step = this.script.shift();
    const scripted = step?.(draft);
    if (scripted instanceof Error) throw scripted;
    const existing = this.orders.get(draft.billNo);
    if (draft.id) {
      if (existing?.id !== draft.id) throw refusal('单据不存在');
      if (this.audited.has(draft.billNo)) throw refusal('单据已审核，不能修改');
    } else if (existing) {
      throw refusal('单据编号已存在');
    }
    const id = scripted?.id ?? draft.id ?? this.newId(draft.billNo);
    this.store(draft, id);
    return { id };
  }

  async findSalesOrderByBillNo(billNo: string): Promise<XingchenSalesOrderSummary | null> {
    this.lookups.push(billNo);
    if (this.lookupError) throw this.lookupError;
    const stored = this.orders.get(billNo);
    return stored ? { id: stored.id, billNo } : null;
  }

  async getSalesOrder(id: string): Promise<XingchenSalesOrder | null> {
    this.details.push(id);
    if (this.detailError) throw this.detailError;
    const stored = [...this.orders.values()].find((o) => o.id === id);
    if (!stored) return null;
    const audited = this.audited.has(stored.billNo);
    return { ...structuredClone(stored), audited, status: audited ? 'C' : 'Z' };
  }

  /** Every Xingchen call made. */
  get calls(): number {
    return this.saves.length + this.lookups.length + this.details.length;
  }

  private newId(billNo: string): string {
    const n = (this.creates.get(billNo) ?? 0) + 1;
    this.creates.set(billNo, n);
    return n === 1 ? `X-${billNo}` : `X-${billNo}-${n}`;
  }
}

class FakeMasterData implements MasterDataResolverPort {
  unknown = new Set<string>();
  cached = true;
  generation = 1;
  invalidated: Array<[MasterKind, string[]]> = [];
  resolves: Array<MasterKind[] | undefined> = [];
  async resolve(
    numbers: { customer: string; materials: string[]; stores: string[] },
    options?: { fresh?: MasterKind[] },
  ): Promise<ResolvedIds> {
    this.resolves.push(options?.fresh);
    for (const m of numbers.materials) {
      if (this.unknown.has(m))
        throw new NonRetriableError(`material (SKU) ${m} not found in Xingchen`, {
          reason: 'unknown_material',
          code: 1001,
        });
    }
    const g = options?.fresh ? this.generation : 1;
    return {
      customerId: `cust-${numbers.customer}`,
      lines: numbers.materials.map((m, i) => ({
        materialId: `mat-${m}-g${g}`,
        unitId: `unit-${m}`,
        storeId: `store-${numbers.stores[i]}`,
      })),
      cached: { customer: this.cached, material: this.cached, store: this.cached },
    };
  }
  async invalidate(kind: MasterKind, numbers: string[]): Promise<void> {
    this.invalidated.push([kind, numbers]);
  }
}

// ---------- fixtures ----------

const hash = (c: string) => c.repeat(64);

/** What every line of `order()` has besides its SKU and quantity. */
const LINE_TERMS = {
  storeNumber: 'WH-SH01',
  taxPrice: '59.9000',
  isFree: false,
  taxPercent: '13',
  shareAmount: '119.8000',
};

function order(
  overrides: {
    billNo?: string;
    modified?: string;
    versionId?: string;
    contentHash?: string;
    qty?: string;
    sku?: string;
    /** One line per SKU (default: one line of `sku`). */
    skus?: string[];
  } = {},
): NormalizedSalesOrder {
  return {
    kind: 'order',
    schemaVersion: 1,
    billNo: overrides.billNo ?? 'JY001',
    billDate: '2024-05-01',
    customerNumber: 'CUST-TM001',
    project: { field: 'custom_field42obgp309axx5_number', value: 'TM001' },
    lines: (overrides.skus ?? [overrides.sku ?? 'SKU-001']).map((sku, index) => ({
      ...LINE_TERMS,
      sourceRecId: String(index + 1),
      materialNumber: sku,
      qty: overrides.qty ?? '2',
    })),
    source: {
      system: 'wdt',
      tradeId: 'T1',
      tradeNo: overrides.billNo ?? 'JY001',
      shopNo: 'TM001',
      warehouseNo: 'WH-SH01',
      tradeStatus: 95,
      modified: overrides.modified ?? '2024-05-01T10:00:00+08:00',
      ...(overrides.versionId ? { versionId: overrides.versionId } : {}),
    },
    contentHash: overrides.contentHash ?? hash('a'),
  };
}

const cancellation = (modified = '2024-05-01T12:00:00+08:00', billNo = 'JY001'): OrderCancellation => ({
  kind: 'cancellation',
  schemaVersion: 1,
  billNo,
  source: {
    system: 'wdt',
    tradeId: 'T1',
    tradeNo: billNo,
    shopNo: 'TM001',
    warehouseNo: 'WH-SH01',
    tradeStatus: 5,
    modified,
  },
});

function setup() {
  const ledger = new FakeLedger();
  const xingchen = new FakeXingchen(ledger);
  const masterData = new FakeMasterData();
  const metrics: Metrics = createMetrics(new Registry());
  const logger = createLogger('test', 'silent', new Writable({ write: (_c, _e, cb) => cb() }));
  const now = new Date('2024-05-01T02:00:05Z');
  const loader = new OrderLoader(ledger, xingchen, masterData, metrics, logger, () => now);
  const outcomes = async (): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {};
    for (const v of (await metrics.loaderOrders.get()).values) counts[String(v.labels.outcome)] = v.value;
    return counts;
  };
  return { ledger, xingchen, masterData, metrics, loader, outcomes, now };
}

/** Seeds a synced row as a first successful create would leave it. */
async function synced(t: ReturnType<typeof setup>, o = order()) {
  await t.loader.handle(o);
  t.xingchen.saves = [];
  t.xingchen.lookups = [];
  t.xingchen.details = [];
  t.ledger.attempts = [];
  t.ledger.puts = [];
}

/** `order()` as modified an hour later, with another content (`b`). */
const newerOrder = (qty?: string) =>
  order({ modified: '2024-05-01T11:00:00+08:00', contentHash: hash('b'), qty });

/** A save whose outcome is unknown: no answer. */
const ambiguous = () => new XingchenAmbiguousError('no answer', { reason: 'ambiguous_timeout' });

/** A save Xingchen applies (as the bill `X-applied`) although its caller sees `error`. */
const appliedButFailing =
  (t: ReturnType<typeof setup>, error: Error): SaveScript =>
  (draft) => {
    t.xingchen.store(draft, 'X-applied');
    return error;
  };

/** The second save modified the adopted bill `xingchenId` under a modify intent, and the row says synced. */
function expectAdoptedAndModified(t: ReturnType<typeof setup>, xingchenId: string, row: Partial<LedgerRow>) {
  expect(t.xingchen.saves[1].ledgerAtCall).toMatchObject({ pendingOperation: 'modify', xingchenId });
  expect(t.ledger.rows.get('JY001')).toMatchObject({ status: 'synced', xingchenId, ...row });
}

/** The draft `order()` becomes with the fake's first-generation ids. */
const draftLine = (sku = 'SKU-001', qty = '2') => ({
  materialId: `mat-${sku}-g1`,
  storeId: 'store-WH-SH01',
  qty,
  unitId: `unit-${sku}`,
  taxPrice: '59.9000',
  isFree: false,
  taxPercent: '13',
});
const draftOf = (lines = [draftLine()]): SalesOrderDraft => ({
  billNo: 'JY001',
  billDate: '2024-05-01',
  customerId: 'cust-CUST-TM001',
  customFields: { custom_field42obgp309axx5_number: 'TM001' },
  lines,
});

describe('OrderLoader decision table: a new order', () => {
  it('nothing in the ledger → intent row, then ONE create call; stores the id → created', async () => {
    const t = setup();
    await expect(t.loader.handle(order())).resolves.toBe('created');
    expect(t.xingchen.lookups).toEqual([]);
    expect(t.xingchen.details).toEqual([]);
    expect(t.xingchen.saves).toHaveLength(1);
    const call = t.xingchen.saves[0];
    expect(call.draft).not.toHaveProperty('id');
    expect(call.draft).toEqual({
      billNo: 'JY001',
      billDate: '2024-05-01',
      customerId: 'cust-CUST-TM001',
      customFields: { custom_field42obgp309axx5_number: 'TM001' },
      lines: [
        {
          materialId: 'mat-SKU-001-g1',
          storeId: 'store-WH-SH01',
          qty: '2',
          unitId: 'unit-SKU-001',
          taxPrice: '59.9000',
          isFree: false,
          taxPercent: '13',
        },
      ],
    });
    // the intent was durable before the call
    expect(call.ledgerAtCall).toMatchObject({
      status: 'pending',
      pendingOperation: 'create',
      xingchenId: null,
      contentHash: hash('a'),
    });
    expect(t.ledger.rows.get('JY001')).toEqual({
      billNo: 'JY001',
      tradeId: 'T1',
      status: 'synced',
      xingchenId: 'X-JY001',
      sourceModified: new Date('2024-05-01T02:00:00Z'),
      sourceVersionId: null,
      contentHash: hash('a'),
      syncedContentHash: hash('a'),
      pendingOperation: null,
      attempts: 1,
      lastErrorCode: null,
      lastErrorMessage: null,
      firstSyncedAt: t.now,
      lastSyncedAt: t.now,
      cancelledAt: null,
    });
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome, a.xingchenId])).toEqual([
      ['create', 'success', 'X-JY001'],
    ]);
    expect(await t.outcomes()).toEqual({ created: 1 });
    expect(
      (await t.metrics.syncLatency.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value,
    ).toBe(1);
  });

  it('calls per new order stay 1: no look-up and no detail on the create path', async () => {
    const t = setup();
    for (const billNo of ['JY001', 'JY002', 'JY003'])
      await expect(t.loader.handle(order({ billNo }))).resolves.toBe('created');
    expect(t.xingchen.calls).toBe(3);
    expect(t.xingchen.saves.map((s) => [s.draft.billNo, s.draft.id])).toEqual([
      ['JY001', undefined],
      ['JY002', undefined],
      ['JY003', undefined],
    ]);
    expect(t.xingchen.lookups).toEqual([]);
    expect(t.xingchen.details).toEqual([]);
    expect(t.ledger.attempts.map((a) => a.operation)).toEqual(['create', 'create', 'create']);
  });
});

describe('OrderLoader decision table: a pending create intent, the bill in Xingchen', () => {
  it('a pending create intent (outcome unknown) and the bill IS in Xingchen with the same content → adopt its id, no second create → created', async () => {
    const t = setup();
    t.xingchen.script = [appliedButFailing(t, ambiguous())];
    await expect(t.loader.handle(order())).rejects.toBeInstanceOf(XingchenAmbiguousError);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'pending',
      pendingOperation: 'create',
      lastErrorCode: 'ambiguous_timeout',
      attempts: 1,
    });
    await expect(t.loader.handle(order())).resolves.toBe('created');
    expect(t.xingchen.lookups).toEqual(['JY001']);
    expect(t.xingchen.details).toEqual([]);
    expect(t.xingchen.saves).toHaveLength(1);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'synced',
      xingchenId: 'X-applied',
      syncedContentHash: hash('a'),
      pendingOperation: null,
    });
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome])).toEqual([
      ['create', 'ambiguous'],
      ['lookup', 'found'],
    ]);
  });

  it('a pending create intent, the bill is in Xingchen, and the incoming content differs → modify by the adopted id → updated', async () => {
    const t = setup();
    t.xingchen.script = [appliedButFailing(t, new RetriableError('502', { reason: 'server_error' }))];
    await expect(t.loader.handle(order())).rejects.toBeInstanceOf(RetriableError);
    const newer = newerOrder('3');
    await expect(t.loader.handle(newer)).resolves.toBe('updated');
    expect(t.xingchen.lookups).toEqual(['JY001']);
    expect(t.xingchen.details).toEqual(['X-applied']);
    expect(t.xingchen.saves.map((s) => [s.draft.id, s.draft.lines[0].qty])).toEqual([
      [undefined, '2'],
      ['X-applied', '3'],
    ]);
    expect(t.xingchen.saves[1].draft.lines[0].entryId).toBe('E-JY001-1');
    expectAdoptedAndModified(t, 'X-applied', { syncedContentHash: hash('b'), attempts: 2 });
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome])).toEqual([
      ['create', 'retriable_error'],
      ['lookup', 'found'],
      ['detail', 'found'],
      ['modify', 'success'],
    ]);
  });
});

describe('OrderLoader decision table: a pending create intent, the bill not found', () => {
  it('a pending create intent and the bill is NOT in Xingchen → create → created', async () => {
    const t = setup();
    t.xingchen.script = [() => ambiguous()];
    await expect(t.loader.handle(order())).rejects.toBeInstanceOf(XingchenAmbiguousError);
    await expect(t.loader.handle(order())).resolves.toBe('created');
    expect(t.xingchen.lookups).toEqual(['JY001']);
    expect(t.xingchen.details).toEqual([]);
    expect(t.xingchen.saves.map((s) => s.draft.id)).toEqual([undefined, undefined]);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'synced',
      xingchenId: 'X-JY001',
      attempts: 2,
    });
  });

  it('a pending create whose look-up fails stays pending and never creates blindly', async () => {
    const t = setup();
    t.xingchen.script = [() => ambiguous()];
    await t.loader.handle(order()).catch(() => undefined);
    t.xingchen.lookupError = new RetriableError('timeout', { reason: 'timeout' });
    await expect(t.loader.handle(order())).rejects.toBeInstanceOf(RetriableError);
    expect(t.xingchen.saves).toHaveLength(1);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      pendingOperation: 'create',
      lastErrorCode: 'timeout',
    });
  });
});

describe('OrderLoader decision table: same content, older versions', () => {
  it('same content hash → nothing, no call → unchanged (a newer version is recorded)', async () => {
    const t = setup();
    await synced(t);
    await expect(t.loader.handle(order())).resolves.toBe('unchanged');
    expect(t.ledger.puts).toEqual([]);
    const newerSame = order({ modified: '2024-05-01T10:30:00+08:00' }); // e.g. a new logistics number
    await expect(t.loader.handle(newerSame)).resolves.toBe('unchanged');
    expect(t.xingchen.saves).toEqual([]);
    expect(t.xingchen.lookups).toEqual([]);
    expect(t.xingchen.details).toEqual([]);
    expect(t.ledger.rows.get('JY001')!.sourceModified).toEqual(new Date('2024-05-01T02:30:00Z'));
    expect(await t.outcomes()).toEqual({ created: 1, unchanged: 2 });
  });

  it('the ledger has a newer source version than the incoming one → nothing → stale', async () => {
    const t = setup();
    await synced(t, order({ modified: '2024-05-01T11:00:00+08:00' }));
    await expect(
      t.loader.handle(order({ modified: '2024-05-01T10:00:00+08:00', contentHash: hash('c') })),
    ).resolves.toBe('stale');
    expect(t.xingchen.calls).toBe(0);
    expect(t.ledger.puts).toEqual([]);
    expect(t.ledger.rows.get('JY001')).toMatchObject({ syncedContentHash: hash('a') });
  });

  it('version_id breaks ties of equal modified times', async () => {
    const t = setup();
    await synced(t, order({ versionId: '12' }));
    await expect(t.loader.handle(order({ versionId: '9', contentHash: hash('c') }))).resolves.toBe('stale');
    await expect(t.loader.handle(order({ versionId: '13', contentHash: hash('c'), qty: '4' }))).resolves.toBe(
      'updated',
    );
    const at = new Date('2024-01-01T00:00:00Z');
    expect(compareVersions({ modified: at, versionId: '100' }, { modified: at, versionId: '99' })).toBe(1);
    expect(compareVersions({ modified: at, versionId: null }, { modified: at, versionId: '99' })).toBe(0);
  });
});

describe('OrderLoader decision table: a modify by id', () => {
  it('an older ledger version and another hash → detail, intent, then modify by id → updated', async () => {
    const t = setup();
    await synced(t);
    const newer = newerOrder('5');
    await expect(t.loader.handle(newer)).resolves.toBe('updated');
    expect(t.xingchen.lookups).toEqual([]);
    expect(t.xingchen.details).toEqual(['X-JY001']);
    expect(t.xingchen.saves).toHaveLength(1);
    expect(t.xingchen.saves[0].draft).toMatchObject({
      id: 'X-JY001',
      billNo: 'JY001',
      lines: [{ qty: '5', entryId: 'E-JY001-1' }],
    });
    expect(t.xingchen.saves[0].ledgerAtCall).toMatchObject({
      status: 'pending',
      pendingOperation: 'modify',
      contentHash: hash('b'),
      syncedContentHash: hash('a'),
    });
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'synced',
      syncedContentHash: hash('b'),
      attempts: 2,
      firstSyncedAt: t.now,
    });
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome, a.xingchenId])).toEqual([
      ['detail', 'found', 'X-JY001'],
      ['modify', 'success', 'X-JY001'],
    ]);
    expect(t.xingchen.orders.get('JY001')!.lines.map((l) => [l.entryId, l.qty])).toEqual([
      ['E-JY001-1', '5'],
    ]);
  });

  it('a modify carries the stored entry ids by position: an extra line has none, a removed line is left out', async () => {
    const t = setup();
    await synced(t, order({ skus: ['SKU-001', 'SKU-002'] }));
    expect(t.xingchen.orders.get('JY001')!.lines.map((l) => l.entryId)).toEqual(['E-JY001-1', 'E-JY001-2']);

    const three = order({
      modified: '2024-05-01T11:00:00+08:00',
      contentHash: hash('b'),
      skus: ['SKU-001', 'SKU-002', 'SKU-003'],
    });
    await expect(t.loader.handle(three)).resolves.toBe('updated');
    expect(t.xingchen.saves[0].draft.lines.map((l) => [l.entryId, l.materialId])).toEqual([
      ['E-JY001-1', 'mat-SKU-001-g1'],
      ['E-JY001-2', 'mat-SKU-002-g1'],
      [undefined, 'mat-SKU-003-g1'],
    ]);
    expect(t.xingchen.saves[0].draft.lines[2]).not.toHaveProperty('entryId');
    expect(t.xingchen.orders.get('JY001')!.lines.map((l) => l.entryId)).toEqual([
      'E-JY001-1',
      'E-JY001-2',
      'E-JY001-3',
    ]);

    const one = order({ modified: '2024-05-01T12:00:00+08:00', contentHash: hash('c'), skus: ['SKU-003'] });
    await expect(t.loader.handle(one)).resolves.toBe('updated');
    expect(t.xingchen.saves[1].draft.lines.map((l) => [l.entryId, l.materialId])).toEqual([
      ['E-JY001-1', 'mat-SKU-003-g1'],
    ]);
    expect(t.xingchen.orders.get('JY001')!.lines.map((l) => [l.entryId, l.materialId])).toEqual([
      ['E-JY001-1', 'mat-SKU-003-g1'],
    ]);
    expect(t.xingchen.details).toEqual(['X-JY001', 'X-JY001']);
  });
});

describe('OrderLoader decision table: a pending, audited or refused modify', () => {
  it('a pending modify (outcome unknown) is simply repeated: a modify by id is idempotent, no look-up', async () => {
    const t = setup();
    await synced(t);
    t.xingchen.script = [() => ambiguous()];
    const newer = newerOrder('5');
    await expect(t.loader.handle(newer)).rejects.toBeInstanceOf(XingchenAmbiguousError);
    expect(t.ledger.rows.get('JY001')).toMatchObject({ pendingOperation: 'modify' });
    await expect(t.loader.handle(newer)).resolves.toBe('updated');
    expect(t.xingchen.lookups).toEqual([]);
    expect(t.xingchen.details).toEqual(['X-JY001', 'X-JY001']);
    expect(t.xingchen.saves.map((s) => s.draft.id)).toEqual(['X-JY001', 'X-JY001']);
  });

  it('a stored bill audited in Xingchen is never modified → ledger audited_in_xingchen, no save → audited', async () => {
    const t = setup();
    await synced(t);
    t.xingchen.audited.add('JY001');
    const newer = newerOrder('5');
    await expect(t.loader.handle(newer)).resolves.toBe('audited');
    expect(t.xingchen.saves).toEqual([]);
    expect(t.xingchen.lookups).toEqual([]);
    expect(t.xingchen.details).toEqual(['X-JY001']);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'audited_in_xingchen',
      pendingOperation: null,
      xingchenId: 'X-JY001',
      contentHash: hash('b'),
      syncedContentHash: hash('a'),
      sourceModified: new Date('2024-05-01T03:00:00Z'),
      attempts: 1,
      lastErrorCode: 'audited_in_xingchen',
      lastErrorMessage: 'bill JY001 is audited in Xingchen (status C): not modified',
    });
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome, a.xingchenId])).toEqual([
      ['detail', 'found', 'X-JY001'],
    ]);
    expect(t.xingchen.orders.get('JY001')!.lines[0].qty).toBe('2');
    expect(await t.outcomes()).toEqual({ created: 1, audited: 1 });
  });

  it('a modify refused by Xingchen → ledger row rejected with the vendor text; thrown as non-retriable for the DLQ', async () => {
    const t = setup();
    await synced(t);
    t.xingchen.script = [() => refusal('单据已被下游单据引用，不能修改', 4711)];
    const newer = newerOrder('3');
    const error = await t.loader.handle(newer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(error).toBeInstanceOf(XingchenBusinessError);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'rejected',
      pendingOperation: null,
      xingchenId: 'X-JY001',
      syncedContentHash: hash('a'),
      attempts: 2,
      lastErrorCode: '4711',
      lastErrorMessage: 'xingchen sal_order_save rejected: 单据已被下游单据引用，不能修改',
    });
    // a refused modify is final: no look-up, no second save
    expect(t.xingchen.lookups).toEqual([]);
    expect(t.xingchen.saves).toHaveLength(1);
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome, a.errorCode])).toEqual([
      ['detail', 'found', null],
      ['modify', 'business_error', '4711'],
    ]);
    expect(await t.outcomes()).toEqual({ created: 1, rejected: 1 });
  });
});

describe('OrderLoader decision table: the stored bill gone or unreadable, unknown master data', () => {
  it('a bill gone from Xingchen on a modify → created again with a new id', async () => {
    const t = setup();
    await synced(t);
    t.xingchen.orders.delete('JY001'); // deleted by someone in Xingchen
    const newer = newerOrder('5');
    await expect(t.loader.handle(newer)).resolves.toBe('created');
    expect(t.xingchen.details).toEqual(['X-JY001']);
    expect(t.xingchen.lookups).toEqual([]);
    expect(t.xingchen.saves).toHaveLength(1);
    expect(t.xingchen.saves[0].draft.id).toBeUndefined();
    expect(t.xingchen.saves[0].draft.lines[0]).not.toHaveProperty('entryId');
    expect(t.xingchen.saves[0].ledgerAtCall).toMatchObject({
      status: 'pending',
      pendingOperation: 'create',
      xingchenId: null,
      syncedContentHash: null,
    });
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'synced',
      xingchenId: 'X-JY001-2',
      syncedContentHash: hash('b'),
      pendingOperation: null,
      attempts: 2,
    });
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome, a.xingchenId])).toEqual([
      ['detail', 'absent', 'X-JY001'],
      ['create', 'success', 'X-JY001-2'],
    ]);
    expect(await t.outcomes()).toEqual({ created: 2 });
  });

  it('a detail read that fails before a modify → thrown, no save, the row keeps its synced state', async () => {
    const t = setup();
    await synced(t);
    t.xingchen.detailError = new RetriableError('timeout', { reason: 'timeout' });
    const newer = newerOrder();
    await expect(t.loader.handle(newer)).rejects.toBeInstanceOf(RetriableError);
    expect(t.xingchen.saves).toEqual([]);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      xingchenId: 'X-JY001',
      syncedContentHash: hash('a'),
      pendingOperation: null,
      lastErrorCode: 'timeout',
    });
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome])).toEqual([['detail', 'retriable_error']]);
  });

  it('an unknown SKU → rejected before any save, with a reason naming the SKU', async () => {
    const t = setup();
    t.masterData.unknown.add('SKU-404');
    const error = await t.loader.handle(order({ sku: 'SKU-404' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as NonRetriableError).reason).toBe('unknown_material');
    expect((error as NonRetriableError).message).toBe('material (SKU) SKU-404 not found in Xingchen');
    expect(t.xingchen.saves).toEqual([]);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'rejected',
      pendingOperation: null,
      lastErrorCode: '1001',
      xingchenId: null,
    });
  });
});

describe('OrderLoader decision table: retries exhausted', () => {
  it('retriable failure after the retry budget → ledger row failed (the pending intent stays pending)', async () => {
    const t = setup();
    const timeout = ambiguous();
    t.xingchen.script = [() => timeout];
    await t.loader.handle(order()).catch(() => undefined);
    await t.loader.recordFailure(order(), timeout);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'failed',
      pendingOperation: 'create',
      lastErrorCode: 'ambiguous_timeout',
    });
    expect(await t.outcomes()).toEqual({ failed: 1 });
    // a later delivery still looks the bill up first
    await t.loader.handle(order());
    expect(t.xingchen.lookups).toEqual(['JY001']);
  });

  it('records failed for a bill that never reached the ledger', async () => {
    const t = setup();
    await t.loader.recordFailure(
      order({ billNo: 'JY009' }),
      new RetriableError('lookup timed out', { reason: 'timeout' }),
    );
    expect(t.ledger.rows.get('JY009')).toMatchObject({
      status: 'failed',
      pendingOperation: null,
      xingchenId: null,
      lastErrorCode: 'timeout',
    });
  });
});

describe('OrderLoader decision table: a refused create, the bill in Xingchen', () => {
  it('a refused create whose bill IS in Xingchen (no intent of ours) → look-up, adopt its id, detail, modify by it → updated', async () => {
    const t = setup();
    t.xingchen.store(draftOf([draftLine('SKU-001', '1')]), 'X-manual'); // keyed in by hand, another qty
    await expect(t.loader.handle(order())).resolves.toBe('updated');
    expect(t.xingchen.lookups).toEqual(['JY001']);
    expect(t.xingchen.details).toEqual(['X-manual']);
    expect(t.xingchen.saves.map((s) => s.draft.id)).toEqual([undefined, 'X-manual']);
    expect(t.xingchen.saves[1].draft.lines).toEqual([{ ...draftLine(), entryId: 'E-JY001-1' }]);
    expectAdoptedAndModified(t, 'X-manual', {
      syncedContentHash: hash('a'),
      pendingOperation: null,
      lastErrorCode: null,
      attempts: 2,
    });
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome])).toEqual([
      ['create', 'business_error'],
      ['lookup', 'found'],
      ['detail', 'found'],
      ['modify', 'success'],
    ]);
    expect(t.masterData.invalidated).toEqual([]);
    expect(await t.outcomes()).toEqual({ updated: 1 });
  });

  it('a refused create whose bill in Xingchen already holds this content → adopt it, no modify → unchanged', async () => {
    const t = setup();
    // the same content as stored (decimals written differently)
    t.xingchen.store(draftOf([{ ...draftLine('SKU-001', '2.00'), taxPrice: '59.90' }]), 'X-manual');
    await expect(t.loader.handle(order())).resolves.toBe('unchanged');
    expect(t.xingchen.saves).toHaveLength(1);
    expect(t.xingchen.lookups).toEqual(['JY001']);
    expect(t.xingchen.details).toEqual(['X-manual']);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'synced',
      xingchenId: 'X-manual',
      contentHash: hash('a'),
      syncedContentHash: hash('a'),
      pendingOperation: null,
      lastErrorCode: null,
      lastErrorMessage: null,
      attempts: 1,
      firstSyncedAt: t.now,
    });
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome])).toEqual([
      ['create', 'business_error'],
      ['lookup', 'found'],
      ['detail', 'found'],
    ]);
    expect(await t.outcomes()).toEqual({ unchanged: 1 });
    // a redelivery is then a plain unchanged, without any call
    await expect(t.loader.handle(order())).resolves.toBe('unchanged');
    expect(t.xingchen.calls).toBe(3);
  });
});

describe('OrderLoader decision table: a refused create, the bill absent', () => {
  it('a refused create, the bill absent, ids from the cache → invalidate every cached kind, resolve fresh, create again', async () => {
    const t = setup();
    t.masterData.generation = 2;
    t.xingchen.script = [() => refusal('商品不存在或已禁用')];
    await expect(t.loader.handle(order())).resolves.toBe('created');
    expect(t.xingchen.lookups).toEqual(['JY001']);
    expect(t.xingchen.details).toEqual([]);
    expect(t.masterData.invalidated).toEqual([
      ['customer', ['CUST-TM001']],
      ['material', ['SKU-001']],
      ['store', ['WH-SH01']],
    ]);
    expect(t.masterData.resolves).toEqual([undefined, ['customer', 'material', 'store']]);
    expect(t.xingchen.saves.map((s) => [s.draft.id, s.draft.lines[0].materialId])).toEqual([
      [undefined, 'mat-SKU-001-g1'],
      [undefined, 'mat-SKU-001-g2'],
    ]);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'synced',
      xingchenId: 'X-JY001',
      pendingOperation: null,
      lastErrorCode: null,
      attempts: 2,
    });
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome])).toEqual([
      ['create', 'business_error'],
      ['lookup', 'absent'],
      ['create', 'success'],
    ]);
  });

  it('a refused create, the bill absent, cached ids unchanged when fetched afresh → rejected without another save', async () => {
    const t = setup();
    t.xingchen.script = [() => refusal('客户已禁用')];
    await expect(t.loader.handle(order())).rejects.toBeInstanceOf(XingchenBusinessError);
    expect(t.masterData.resolves).toEqual([undefined, ['customer', 'material', 'store']]);
    expect(t.xingchen.saves).toHaveLength(1);
    expect(t.xingchen.lookups).toEqual(['JY001']);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'rejected',
      pendingOperation: null,
      lastErrorMessage: 'xingchen sal_order_save rejected: 客户已禁用',
    });
  });

  it('a refused create, the bill absent, refused again with fresh ids → rejected: master data is fetched afresh once only', async () => {
    const t = setup();
    t.masterData.generation = 2;
    t.xingchen.script = [() => refusal('商品不存在'), () => refusal('仓库不存在')];
    await expect(t.loader.handle(order())).rejects.toBeInstanceOf(XingchenBusinessError);
    expect(t.xingchen.saves).toHaveLength(2);
    expect(t.xingchen.lookups).toEqual(['JY001', 'JY001']);
    expect(t.masterData.resolves).toEqual([undefined, ['customer', 'material', 'store']]);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'rejected',
      pendingOperation: null,
      attempts: 2,
      lastErrorMessage: 'xingchen sal_order_save rejected: 仓库不存在',
    });
    expect(await t.outcomes()).toEqual({ rejected: 1 });
  });
});

describe('OrderLoader decision table: a refused create that is final', () => {
  it('a refused create with ids fetched just now (not cached), the bill absent → rejected after one save and one look-up', async () => {
    const t = setup();
    t.masterData.cached = false;
    t.xingchen.script = [() => refusal('商品不存在', 2003)];
    const error = await t.loader.handle(order()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XingchenBusinessError);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(t.xingchen.saves).toHaveLength(1);
    expect(t.xingchen.lookups).toEqual(['JY001']);
    expect(t.xingchen.details).toEqual([]);
    expect(t.masterData.invalidated).toEqual([]);
    expect(t.masterData.resolves).toEqual([undefined]);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'rejected',
      xingchenId: null,
      lastErrorCode: '2003',
      lastErrorMessage: 'xingchen sal_order_save rejected: 商品不存在',
      pendingOperation: null,
      attempts: 1,
    });
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome])).toEqual([
      ['create', 'business_error'],
      ['lookup', 'absent'],
    ]);
    expect(await t.outcomes()).toEqual({ rejected: 1 });
  });

  it('a refused create whose bill the list finds but the detail does not → retriable, no loop of creates', async () => {
    const t = setup();
    t.xingchen.store(
      { billNo: 'JY001', billDate: '2024-05-01', customerId: 'c', customFields: {}, lines: [] },
      'X-listed',
    );
    t.xingchen.getSalesOrder = async (id) => {
      t.xingchen.details.push(id);
      return null;
    };
    const error = await t.loader.handle(order()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriableError);
    expect((error as RetriableError).reason).toBe('bill_listed_not_found');
    expect(t.xingchen.saves).toHaveLength(1);
    expect(t.xingchen.lookups).toEqual(['JY001']);
    expect(t.xingchen.details).toEqual(['X-listed']);
  });
});

describe('OrderLoader decision table: cancellations', () => {
  it('a cancellation of a synced order → ledger cancelled_in_source, no Xingchen call', async () => {
    const t = setup();
    await synced(t);
    await expect(t.loader.handle(cancellation())).resolves.toBe('cancelled');
    expect(t.xingchen.calls).toBe(0);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'cancelled_in_source',
      xingchenId: 'X-JY001',
      cancelledAt: t.now,
    });
    // an older order version replayed afterwards is stale
    await expect(t.loader.handle(order({ contentHash: hash('z') }))).resolves.toBe('stale');
  });

  it('a cancellation of a trade never synced is only noted', async () => {
    const t = setup();
    await expect(t.loader.handle(cancellation('2024-05-01T12:00:00+08:00', 'JY777'))).resolves.toBe(
      'cancelled',
    );
    expect(t.ledger.rows.get('JY777')).toMatchObject({
      status: 'cancelled_in_source',
      xingchenId: null,
      contentHash: null,
    });
    expect(t.xingchen.saves).toEqual([]);
  });
});
