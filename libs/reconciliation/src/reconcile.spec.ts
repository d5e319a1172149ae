import { parseMappingRules } from '@app/mapping';
import { reconcile } from './reconcile';
import { type LedgerView, type MasterDataIds, type XingchenOrderView } from './reconciliation.types';

const rules = parseMappingRules({
  customers: { byShop: { TM001: 'CUST-TM001' } },
  project: { source: 'none' },
});

const ids: MasterDataIds = {
  customerId: (n) => ({ 'CUST-TM001': 'c1' })[n],
  materialId: (n) => ({ 'SKU-001': 'm1', 'SKU-002': 'm2' })[n],
  baseUnitId: (n) => ({ 'SKU-001': 'u1', 'SKU-002': 'u2' })[n],
  storeId: (n) => ({ 'WH-SH01': 's1' })[n],
};

const trade = (tradeNo: string, overrides: Record<string, unknown> = {}) => ({
  trade_id: `id-${tradeNo}`,
  trade_no: tradeNo,
  shop_no: 'TM001',
  warehouse_no: 'WH-SH01',
  trade_status: 55,
  trade_time: '2024-03-01 23:59:59',
  created: '2024-03-01 23:59:59',
  modified: '2024-03-02 10:00:00',
  goods_list: [
    {
      rec_id: '1',
      spec_no: 'SKU-001',
      num: '3.0000',
      share_amount: '100.0000',
      gift_type: 0,
      refund_status: 0,
      tax_rate: '0.1300',
    },
  ],
  ...overrides,
});

const savedLine = (overrides: Partial<NonNullable<XingchenOrderView['lines']>[number]> = {}) => ({
  entryId: 'e1',
  materialId: 'm1',
  storeId: 's1',
  qty: '3',
  unitId: 'u1',
  taxPrice: '33.3333',
  isFree: false,
  taxPercent: '13',
  ...overrides,
});

const savedOrder = (billNo: string, overrides: Partial<XingchenOrderView> = {}): XingchenOrderView => ({
  id: `x-${billNo}`,
  billNo,
  billDate: '2024-03-01',
  customerId: 'c1',
  audited: false,
  customFields: {},
  lines: [savedLine()],
  ...overrides,
});

const synced = (billNo: string, sourceModified = '2024-03-02T10:00:00+08:00'): LedgerView => ({
  billNo,
  status: 'synced',
  sourceModified,
});

describe('reconcile: the three ledgers of a period', () => {
  it('counts an order that matches the mapping rules as in sync (decimals compared as decimals)', () => {
    const report = reconcile({
      trades: [trade('JY1')],
      ledger: [synced('JY1')],
      xingchenOrders: [
        savedOrder('JY1', {
          lines: [savedLine({ qty: '3.0000', taxPrice: '33.333300', taxPercent: '13.00' })],
        }),
      ],
      masterData: ids,
      rules,
    });
    expect(report.counts).toMatchObject({
      wdtTrades: 1,
      expectedOrders: 1,
      inSync: 1,
      missing: 0,
      duplicated: 0,
      stale: 0,
      mismatched: 0,
    });
    expect(report.clean).toBe(true);
  });

  it('reports missing orders with the reason the ledger or the mapping gives', () => {
    const report = reconcile({
      trades: [
        trade('JY1'),
        trade('JY2', { shop_no: 'XX999' }),
        trade('JY3', {
          goods_list: [
            { rec_id: '9', spec_no: 'SKU-404', num: '1', share_amount: '1', gift_type: 0, refund_status: 0 },
          ],
        }),
      ],
      ledger: [
        {
          billNo: 'JY3',
          status: 'rejected',
          lastErrorCode: '2003',
          lastErrorMessage: 'material SKU-404 not found',
        },
      ],
      xingchenOrders: [savedOrder('JY1')],
      masterData: ids,
      rules,
    });
    expect(report.clean).toBe(false);
    expect(report.missing).toEqual([
      { billNo: 'JY2', reason: 'not mappable: unmapped_shop', detail: expect.stringContaining('XX999') },
    ]);
    // a rejected ledger row is the loader's dead letter (it dead-letters exactly those)
    expect(report.dead_lettered).toEqual([
      { tradeNo: 'JY3', hop: 'loader', reason: 'rejected (2003)', message: 'material SKU-404 not found' },
    ]);
    expect(report.rejected).toEqual([
      { billNo: 'JY3', reason: 'rejected (2003)', detail: 'material SKU-404 not found' },
    ]);
  });

  it('reports duplicates, stale and mismatched orders with field-level differences', () => {
    const report = reconcile({
      trades: [trade('JY1'), trade('JY2', { modified: '2024-03-02 12:00:00' }), trade('JY3')],
      ledger: [synced('JY1'), synced('JY2', '2024-03-02T10:00:00+08:00'), synced('JY3')],
      xingchenOrders: [
        savedOrder('JY1'),
        savedOrder('JY1', { id: 'x-JY1-b' }),
        savedOrder('JY2', {
          lines: [savedLine({ qty: '2' })],
        }),
        savedOrder('JY3', { billDate: '2024-03-02' }),
      ],
      masterData: ids,
      rules,
    });
    expect(report.duplicated).toEqual([
      { billNo: 'JY1', reason: 'more than one Xingchen order', xingchenIds: ['x-JY1', 'x-JY1-b'] },
    ]);
    expect(report.stale).toEqual([
      expect.objectContaining({
        billNo: 'JY2',
        differences: [{ field: 'lines[0].qty', expected: '3', actual: '2' }],
      }),
    ]);
    expect(report.mismatched).toEqual([
      expect.objectContaining({
        billNo: 'JY3',
        differences: [{ field: 'billDate', expected: '2024-03-01', actual: '2024-03-02' }],
      }),
    ]);
    expect(report.counts).toMatchObject({ duplicated: 1, stale: 1, mismatched: 1, inSync: 1 });
  });

  it('lists orders cancelled in WDT after they were synced, without calling them missing', () => {
    const report = reconcile({
      trades: [
        trade('JY1', { trade_status: 5 }),
        trade('JY2', { trade_status: 5 }),
        trade('JY3', { trade_status: 30 }),
      ],
      ledger: [
        { billNo: 'JY1', status: 'cancelled_in_source', xingchenId: 'x-JY1' },
        { billNo: 'JY2', status: 'cancelled_in_source' },
      ],
      xingchenOrders: [savedOrder('JY1')],
      masterData: ids,
      rules,
    });
    expect(report.cancelledInSource).toEqual([
      { billNo: 'JY1', reason: 'cancelled in WDT after it was synced', xingchenIds: ['x-JY1'] },
    ]);
    expect(report.counts).toMatchObject({
      expectedOrders: 0,
      missing: 0,
      filtered: 1,
      byStatus: { '5': 2, '30': 1 },
    });
    expect(report.clean).toBe(true);
  });

  it('lists an audited bill that holds an older version as audited in Xingchen, not as stale', () => {
    const report = reconcile({
      trades: [trade('JY1'), trade('JY2')],
      ledger: [
        { billNo: 'JY1', status: 'audited_in_xingchen', sourceModified: '2024-03-01T10:00:00+08:00' },
        synced('JY2', '2024-03-01T10:00:00+08:00'),
      ],
      xingchenOrders: [
        savedOrder('JY1', { audited: true, lines: [savedLine({ qty: '2' })] }),
        savedOrder('JY2', { lines: [savedLine({ qty: '2' })] }),
      ],
      masterData: ids,
      rules,
    });
    expect(report.auditedInXingchen).toEqual([
      expect.objectContaining({
        billNo: 'JY1',
        differences: [{ field: 'lines[0].qty', expected: '3', actual: '2' }],
        xingchenIds: ['x-JY1'],
      }),
    ]);
    expect(report.stale.map((entry) => entry.billNo)).toEqual(['JY2']);
    expect(report.counts).toMatchObject({ auditedInXingchen: 1, stale: 1 });
  });
});

describe('reconcile: every WDT trade is accounted for, dead letters of every hop included', () => {
  const letter = (tradeNo: string, hop: 'extractor' | 'transformer' | 'loader', reason: string) => ({
    tradeNo,
    hop,
    reason,
    message: `${reason} of ${tradeNo}`,
    sourceModified: '2024-03-02T10:00:00+08:00',
    failedAt: '2024-03-02T02:00:05.000Z',
  });

  it('reports a trade dead-lettered by the extractor with its hop and reason, and fails the verdict', () => {
    const broken = trade('JY5', {
      goods_list: [{ rec_id: '1', num: 1, share_amount: 1, gift_type: 0, refund_status: 0 }],
    });
    const noModified: Record<string, unknown> = trade('JY6', { trade_status: '95' });
    delete noModified.modified;
    const report = reconcile({
      trades: [trade('JY1'), broken, noModified],
      ledger: [synced('JY1')],
      xingchenOrders: [savedOrder('JY1')],
      masterData: ids,
      rules,
      deadLetters: [letter('JY5', 'extractor', 'missing_field'), letter('JY6', 'extractor', 'missing_field')],
    });
    expect(report.counts).toMatchObject({ wdtTrades: 3, inSync: 1, missing: 0, deadLettered: 2 });
    expect(report.counts.byStatus).toEqual({ '55': 2, '95': 1 });
    expect(report.dead_lettered).toEqual([
      { tradeNo: 'JY5', hop: 'extractor', reason: 'missing_field', message: 'missing_field of JY5' },
      { tradeNo: 'JY6', hop: 'extractor', reason: 'missing_field', message: 'missing_field of JY6' },
    ]);
    expect(report.clean).toBe(false);
  });

  it('a trade dead-lettered by the transformer is dead_lettered, not missing', () => {
    const report = reconcile({
      trades: [trade('JY2', { shop_no: 'XX999' })],
      ledger: [],
      xingchenOrders: [],
      masterData: ids,
      rules,
      deadLetters: [letter('JY2', 'transformer', 'unmapped_shop')],
    });
    expect(report.missing).toEqual([]);
    expect(report.dead_lettered).toEqual([
      { tradeNo: 'JY2', hop: 'transformer', reason: 'unmapped_shop', message: 'unmapped_shop of JY2' },
    ]);
    expect(report.clean).toBe(false);
  });

  it('does not fail for a trade that is not eligible, nor for one synced after its dead letter (a redrive)', () => {
    const report = reconcile({
      trades: [trade('JY7', { trade_status: 30, goods_list: 'broken' }), trade('JY1')],
      ledger: [synced('JY1')],
      xingchenOrders: [savedOrder('JY1')],
      masterData: ids,
      rules,
      deadLetters: [
        letter('JY7', 'extractor', 'schema_violation'),
        letter('JY1', 'transformer', 'unmapped_shop'),
      ],
    });
    expect(report.dead_lettered).toEqual([]);
    expect(report.counts.inSync).toBe(1);
    expect(report.clean).toBe(true);
  });

  it('counts a trade that cannot be parsed at all by its position when it has no trade_no', () => {
    const report = reconcile({
      trades: [{ trade_status: 55, goods_list: 'x' }, 'not even an object'],
      positions: ['2024-03-02 10:00:00 page 0 #4', undefined],
      ledger: [],
      xingchenOrders: [],
      masterData: ids,
      rules,
    });
    expect(report.counts.wdtTrades).toBe(2);
    expect(report.missing.map((entry) => entry.billNo)).toEqual(['#1', '2024-03-02 10:00:00 page 0 #4']);
    expect(report.clean).toBe(false);
  });
});
