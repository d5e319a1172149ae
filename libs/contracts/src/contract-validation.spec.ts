import { parseNormalizedOrderMessage, SchemaValidationError } from './normalized-order';

const problemsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof SchemaValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a SchemaValidationError');
};

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
