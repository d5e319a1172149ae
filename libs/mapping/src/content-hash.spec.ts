import { contentHash, type ContentFields } from './content-hash';

const order: ContentFields = {
  billDate: '2022-11-01',
  customerNumber: 'CUST-TM001',
  project: { field: 'custom_field42obgp309axx5_number', value: 'TM001' },
  lines: [
    {
      materialNumber: 'SKU-001',
      storeNumber: 'WH-SH01',
      qty: '2',
      taxPrice: '29.9500',
      isFree: false,
      taxPercent: '13',
    },
  ],
};

describe('content hash', () => {
  it('is pinned: changing the canonical form re-modifies every synced order once, so it must be deliberate', () => {
    expect(contentHash(order)).toBe(PINNED);
  });

  it('compares decimals as decimals', () => {
    const respelled = {
      ...order,
      lines: [{ ...order.lines[0], qty: '2.0000', taxPrice: '29.95', taxPercent: '13.00' }],
    };
    expect(contentHash(respelled)).toBe(PINNED);
  });

  it('distinguishes a remark, a missing project and an empty remark', () => {
    const hashes = new Set([
      contentHash(order),
      contentHash({ ...order, remark: 'x' }),
      contentHash({ ...order, project: undefined }),
      contentHash({ ...order, lines: [{ ...order.lines[0], isFree: true }] }),
    ]);
    expect(hashes.size).toBe(4);
  });
});

// Independently computed (Python hashlib) over the canonical JSON
// ["erpsync.order.content.v1","2022-11-01","CUST-TM001",["custom_field42obgp309axx5_number","TM001"],null,
//  [["SKU-001","WH-SH01","2","29.95",false,"13"]]]
const PINNED = 'e557e6df30329c79078d63b0b061661cf8409037c3a70796d4cfa0a14d59378a';
