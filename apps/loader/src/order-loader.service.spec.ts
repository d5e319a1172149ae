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
  type SalesOrderBody,
  type SaveResult,
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

type SaveScript = (body: SalesOrderBody) => SaveResult | Error;

class FakeXingchen implements XingchenPort {
  saves: Array<{ body: SalesOrderBody; ledgerAtCall: LedgerRow | undefined }> = [];
  lookups: string[] = [];
  orders = new Map<string, string>(); // billno → id
  script: SaveScript[] = [];
  lookupError?: Error;
  constructor(private readonly ledger: FakeLedger) {}
  async saveSalesOrder(body: SalesOrderBody): Promise<SaveResult> {
    this.saves.push({
      body: structuredClone(body),
      ledgerAtCall: this.ledger.rows.get(body.billno) && { ...this.ledger.rows.get(body.billno)! },
    });
    const step = this.script.shift();
    const result = step ? step(body) : { id: body.id ?? `X-${body.billno}` };
    if (result instanceof Error) throw result;
    this.orders.set(body.billno, result.id);
    return result;
  }
  async findSalesOrderByBillNo(billNo: string): Promise<XingchenSalesOrderSummary | null> {
    this.lookups.push(billNo);
    if (this.lookupError) throw this.lookupError;
    const id = this.orders.get(billNo);
    return id ? { id, billno: billNo } : null;
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

function order(
  overrides: {
    billNo?: string;
    modified?: string;
    versionId?: string;
    contentHash?: string;
    qty?: string;
    sku?: string;
  } = {},
): NormalizedSalesOrder {
  return {
    kind: 'order',
    schemaVersion: 1,
    billNo: overrides.billNo ?? 'JY001',
    billDate: '2024-05-01',
    customerNumber: 'CUST-TM001',
    project: { field: 'custom_field42obgp309axx5_number', value: 'TM001' },
    lines: [
      {
        sourceRecId: '1',
        materialNumber: overrides.sku ?? 'SKU-001',
        storeNumber: 'WH-SH01',
        qty: overrides.qty ?? '2',
        taxPrice: '59.9000',
        isFree: false,
        taxPercent: '13',
        shareAmount: '119.8000',
      },
    ],
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
  t.ledger.attempts = [];
  t.ledger.puts = [];
}

describe('OrderLoader decision table', () => {
  it('nothing in the ledger → intent row, then ONE create call; stores the id → created', async () => {
    const t = setup();
    await expect(t.loader.handle(order())).resolves.toBe('created');
    expect(t.xingchen.lookups).toEqual([]);
    expect(t.xingchen.saves).toHaveLength(1);
    const call = t.xingchen.saves[0];
    expect(call.body).toEqual({
      billno: 'JY001',
      billdate: '2024-05-01',
      customerid_id: 'cust-CUST-TM001',
      custom_field42obgp309axx5_number: 'TM001',
      material_entity: [
        {
          materialid_id: 'mat-SKU-001-g1',
          stockid_id: 'store-WH-SH01',
          qty: '2',
          unit_id: 'unit-SKU-001',
          taxprice: '59.9000',
          is_free: false,
          cess: '13',
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

  it('a pending create intent (outcome unknown) and the bill IS in Xingchen with the same content → adopt its id, no second create → created', async () => {
    const t = setup();
    t.xingchen.script = [
      (body) => {
        t.xingchen.orders.set(body.billno, 'X-applied');
        return new XingchenAmbiguousError('no answer', { reason: 'ambiguous_timeout' });
      },
    ];
    await expect(t.loader.handle(order())).rejects.toBeInstanceOf(XingchenAmbiguousError);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'pending',
      pendingOperation: 'create',
      lastErrorCode: 'ambiguous_timeout',
      attempts: 1,
    });
    await expect(t.loader.handle(order())).resolves.toBe('created');
    expect(t.xingchen.lookups).toEqual(['JY001']);
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
    t.xingchen.script = [
      (body) => {
        t.xingchen.orders.set(body.billno, 'X-applied');
        return new RetriableError('502', { reason: 'server_error' });
      },
    ];
    await expect(t.loader.handle(order())).rejects.toBeInstanceOf(RetriableError);
    const newer = order({ modified: '2024-05-01T11:00:00+08:00', contentHash: hash('b'), qty: '3' });
    await expect(t.loader.handle(newer)).resolves.toBe('updated');
    expect(t.xingchen.lookups).toEqual(['JY001']);
    expect(t.xingchen.saves.map((s) => [s.body.id, s.body.material_entity[0].qty])).toEqual([
      [undefined, '2'],
      ['X-applied', '3'],
    ]);
    expect(t.xingchen.saves[1].ledgerAtCall).toMatchObject({
      pendingOperation: 'modify',
      xingchenId: 'X-applied',
    });
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'synced',
      xingchenId: 'X-applied',
      syncedContentHash: hash('b'),
      attempts: 2,
    });
  });

  it('a pending create intent and the bill is NOT in Xingchen → create → created', async () => {
    const t = setup();
    t.xingchen.script = [() => new XingchenAmbiguousError('no answer', { reason: 'ambiguous_timeout' })];
    await expect(t.loader.handle(order())).rejects.toBeInstanceOf(XingchenAmbiguousError);
    await expect(t.loader.handle(order())).resolves.toBe('created');
    expect(t.xingchen.lookups).toEqual(['JY001']);
    expect(t.xingchen.saves.map((s) => s.body.id)).toEqual([undefined, undefined]);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'synced',
      xingchenId: 'X-JY001',
      attempts: 2,
    });
  });

  it('a pending create whose look-up fails stays pending and never creates blindly', async () => {
    const t = setup();
    t.xingchen.script = [() => new XingchenAmbiguousError('no answer', { reason: 'ambiguous_timeout' })];
    await t.loader.handle(order()).catch(() => undefined);
    t.xingchen.lookupError = new RetriableError('timeout', { reason: 'timeout' });
    await expect(t.loader.handle(order())).rejects.toBeInstanceOf(RetriableError);
    expect(t.xingchen.saves).toHaveLength(1);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      pendingOperation: 'create',
      lastErrorCode: 'timeout',
    });
  });

  it('same content hash → nothing, no call → unchanged (a newer version is recorded)', async () => {
    const t = setup();
    await synced(t);
    await expect(t.loader.handle(order())).resolves.toBe('unchanged');
    expect(t.ledger.puts).toEqual([]);
    const newerSame = order({ modified: '2024-05-01T10:30:00+08:00' }); // e.g. a new logistics number
    await expect(t.loader.handle(newerSame)).resolves.toBe('unchanged');
    expect(t.xingchen.saves).toEqual([]);
    expect(t.xingchen.lookups).toEqual([]);
    expect(t.ledger.rows.get('JY001')!.sourceModified).toEqual(new Date('2024-05-01T02:30:00Z'));
    expect(await t.outcomes()).toEqual({ created: 1, unchanged: 2 });
  });

  it('the ledger has a newer source version than the incoming one → nothing → stale', async () => {
    const t = setup();
    await synced(t, order({ modified: '2024-05-01T11:00:00+08:00' }));
    await expect(
      t.loader.handle(order({ modified: '2024-05-01T10:00:00+08:00', contentHash: hash('c') })),
    ).resolves.toBe('stale');
    expect(t.xingchen.saves).toEqual([]);
    expect(t.ledger.puts).toEqual([]);
    expect(t.ledger.rows.get('JY001')).toMatchObject({ syncedContentHash: hash('a') });
  });

  it('version_id breaks ties of equal modified times', async () => {
    const t = setup();
    await synced(t, order({ versionId: '12' }));
    await expect(t.loader.handle(order({ versionId: '9', contentHash: hash('c') }))).resolves.toBe('stale');
    await expect(t.loader.handle(order({ versionId: '13', contentHash: hash('c') }))).resolves.toBe(
      'updated',
    );
    const at = new Date('2024-01-01T00:00:00Z');
    expect(compareVersions({ modified: at, versionId: '100' }, { modified: at, versionId: '99' })).toBe(1);
    expect(compareVersions({ modified: at, versionId: null }, { modified: at, versionId: '99' })).toBe(0);
  });

  it('an older ledger version and another hash → intent, then modify by id → updated', async () => {
    const t = setup();
    await synced(t);
    const newer = order({ modified: '2024-05-01T11:00:00+08:00', contentHash: hash('b'), qty: '5' });
    await expect(t.loader.handle(newer)).resolves.toBe('updated');
    expect(t.xingchen.lookups).toEqual([]);
    expect(t.xingchen.saves).toHaveLength(1);
    expect(t.xingchen.saves[0].body).toMatchObject({
      id: 'X-JY001',
      billno: 'JY001',
      material_entity: [{ qty: '5' }],
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
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome])).toEqual([['modify', 'success']]);
  });

  it('a pending modify (outcome unknown) is simply repeated: a modify by id is idempotent, no look-up', async () => {
    const t = setup();
    await synced(t);
    t.xingchen.script = [() => new XingchenAmbiguousError('no answer', { reason: 'ambiguous_timeout' })];
    const newer = order({ modified: '2024-05-01T11:00:00+08:00', contentHash: hash('b'), qty: '5' });
    await expect(t.loader.handle(newer)).rejects.toBeInstanceOf(XingchenAmbiguousError);
    expect(t.ledger.rows.get('JY001')).toMatchObject({ pendingOperation: 'modify' });
    await expect(t.loader.handle(newer)).resolves.toBe('updated');
    expect(t.xingchen.lookups).toEqual([]);
    expect(t.xingchen.saves.map((s) => s.body.id)).toEqual(['X-JY001', 'X-JY001']);
  });

  it('a business rejection (2008 audited) → ledger row rejected with the code; thrown as non-retriable for the DLQ', async () => {
    const t = setup();
    await synced(t);
    t.xingchen.script = [
      () =>
        new XingchenBusinessError('xingchen sal_order_save rejected (2008 order_audited)', {
          reason: 'order_audited',
          errcode: 2008,
        }),
    ];
    const newer = order({ modified: '2024-05-01T11:00:00+08:00', contentHash: hash('b') });
    const error = await t.loader.handle(newer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as NonRetriableError).reason).toBe('order_audited');
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'rejected',
      pendingOperation: null,
      xingchenId: 'X-JY001',
      syncedContentHash: hash('a'),
      lastErrorCode: '2008',
      lastErrorMessage: 'xingchen sal_order_save rejected (2008 order_audited)',
    });
    expect(t.ledger.attempts.map((a) => [a.operation, a.outcome, a.errorCode])).toEqual([
      ['modify', 'business_error', '2008'],
    ]);
    expect(await t.outcomes()).toEqual({ created: 1, rejected: 1 });
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

  it('retriable failure after the retry budget → ledger row failed (the pending intent stays pending)', async () => {
    const t = setup();
    const timeout = new XingchenAmbiguousError('no answer', { reason: 'ambiguous_timeout' });
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

  it('2006 on a create (bill exists without our intent) → look it up and modify by its id, never a second create', async () => {
    const t = setup();
    t.xingchen.orders.set('JY001', 'X-manual');
    t.xingchen.script = [() => new XingchenBusinessError('exists', { reason: 'bill_exists', errcode: 2006 })];
    await expect(t.loader.handle(order())).resolves.toBe('updated');
    expect(t.xingchen.saves.map((s) => s.body.id)).toEqual([undefined, 'X-manual']);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'synced',
      xingchenId: 'X-manual',
      attempts: 2,
    });
  });

  it('a save saying a cached id is gone (2003) → invalidate, resolve fresh, save once more', async () => {
    const t = setup();
    t.masterData.generation = 2;
    t.xingchen.script = [
      () => new XingchenBusinessError('material gone', { reason: 'material_not_found', errcode: 2003 }),
    ];
    await expect(t.loader.handle(order())).resolves.toBe('created');
    expect(t.masterData.invalidated).toEqual([['material', ['SKU-001']]]);
    expect(t.masterData.resolves).toEqual([undefined, ['material']]);
    expect(t.xingchen.saves.map((s) => s.body.material_entity[0].materialid_id)).toEqual([
      'mat-SKU-001-g1',
      'mat-SKU-001-g2',
    ]);
  });

  it('2003 with ids fetched just now (not cached) → rejected without another save', async () => {
    const t = setup();
    t.masterData.cached = false;
    t.xingchen.script = [
      () => new XingchenBusinessError('material gone', { reason: 'material_not_found', errcode: 2003 }),
    ];
    await expect(t.loader.handle(order())).rejects.toBeInstanceOf(XingchenBusinessError);
    expect(t.xingchen.saves).toHaveLength(1);
    expect(t.ledger.rows.get('JY001')).toMatchObject({
      status: 'rejected',
      lastErrorCode: '2003',
      pendingOperation: null,
    });
  });

  it('a cancellation of a synced order → ledger cancelled_in_source, no Xingchen call', async () => {
    const t = setup();
    await synced(t);
    await expect(t.loader.handle(cancellation())).resolves.toBe('cancelled');
    expect(t.xingchen.saves).toEqual([]);
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
