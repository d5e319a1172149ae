import { parseNormalizedOrderMessage, SchemaValidationError, validateContract } from './normalized-order';
import { WdtTrade, WdtTradeLine } from './wdt-trade';

const line = (changes: Record<string, unknown> = {}) => ({
  rec_id: '9001',
  spec_no: 'SKU-001',
  num: '2.0000',
  share_amount: '59.8000',
  gift_type: 0,
  refund_status: 0,
  platform_extra: { kept: true },
  ...changes,
});

const trade = (changes: Record<string, unknown> = {}) => ({
  trade_id: '1001',
  trade_no: 'JY2024061800001',
  shop_no: 'TM01',
  warehouse_no: 'WH01',
  trade_status: 30,
  trade_time: '2024-06-18 10:00:00',
  modified: '2024-06-18 10:05:00',
  created: '2024-06-18 10:00:00',
  goods_list: [line()],
  ...changes,
});

const problemsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof SchemaValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a SchemaValidationError');
};

describe('contract validation of a WDT trade (the raw topic payload)', () => {
  it('a valid trade comes back as a WdtTrade whose lines are WdtTradeLines, unknown fields kept', () => {
    const parsed = validateContract(WdtTrade, trade({ seller_memo: '加急' }));

    expect(parsed).toBeInstanceOf(WdtTrade);
    expect(parsed.goods_list[0]).toBeInstanceOf(WdtTradeLine);
    expect(parsed.seller_memo).toBe('加急');
    expect(parsed.goods_list[0].platform_extra).toEqual({ kept: true });
  });

  it('a bad field of a nested line is named by its path', () => {
    const problems = problemsOf(() =>
      validateContract(WdtTrade, trade({ goods_list: [line(), line({ num: 2, spec_no: '' })] })),
    );

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^goods_list\.1\.num: /),
        expect.stringMatching(/^goods_list\.1\.spec_no: /),
      ]),
    );
    expect(problems.some((problem) => problem.startsWith('goods_list.0'))).toBe(false);
  });

  it('a line that is not an object, or goods_list that is not an array, is a problem, not a crash', () => {
    expect(problemsOf(() => validateContract(WdtTrade, trade({ goods_list: ['SKU-001'] })))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^goods_list\.0: /)]),
    );
    expect(problemsOf(() => validateContract(WdtTrade, trade({ goods_list: 'SKU-001' })))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^goods_list: /)]),
    );
  });

  it('a "__proto__" key anywhere is refused and cannot swap the class the rules are looked up by', () => {
    const smuggled = JSON.parse(
      '{"trade_id":"1","goods_list":[{"__proto__":{"num":"1"},"rec_id":"1"}]}',
    ) as Record<string, unknown>;
    expect(problemsOf(() => validateContract(WdtTrade, smuggled))).toEqual([
      'a "__proto__" key is not allowed in a message',
    ]);
  });

  it('a message that is not a JSON object says so', () => {
    expect(problemsOf(() => validateContract(WdtTrade, [trade()]))).toEqual(['message is not a JSON object']);
  });
});

describe('contract validation of a normalized message (the loader input)', () => {
  const order = {
    kind: 'order',
    schemaVersion: 1,
    billNo: 'JY2024061800001',
    billDate: '2024-06-18',
    customerNumber: 'CUST-TM01',
    lines: [
      {
        sourceRecId: '9001',
        materialNumber: 'SKU-001',
        storeNumber: 'WH01',
        qty: '2',
        taxPrice: '29.9',
        isFree: false,
        taxPercent: '13',
        shareAmount: '59.8',
      },
    ],
    source: {
      system: 'wdt',
      tradeId: '1001',
      tradeNo: 'JY2024061800001',
      shopNo: 'TM01',
      warehouseNo: 'WH01',
      tradeStatus: 30,
      modified: '2024-06-18T10:05:00+08:00',
    },
    contentHash: 'a'.repeat(64),
  };

  it('an order is checked down to its lines and source', () => {
    expect(parseNormalizedOrderMessage(order)).toMatchObject({ billNo: 'JY2024061800001' });
    const broken = {
      ...order,
      lines: [{ ...order.lines[0], qty: 2 }],
      source: { ...order.source, modified: '2024-06-18 10:05:00' },
    };
    expect(problemsOf(() => parseNormalizedOrderMessage(broken))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^lines\.0\.qty: /),
        expect.stringMatching(/^source\.modified: /),
      ]),
    );
  });

  it('an order without lines, or of an unknown kind, is refused', () => {
    expect(problemsOf(() => parseNormalizedOrderMessage({ ...order, lines: [] }))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^lines: /)]),
    );
    expect(problemsOf(() => parseNormalizedOrderMessage({ ...order, kind: 'refund' }))).toEqual([
      'kind: must be one of order, cancellation',
    ]);
  });
});
