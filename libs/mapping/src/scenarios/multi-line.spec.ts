import { mapTrade } from '../trade-mapper';
import { asDecimals, orderOf, rawLine, rawTrade, scenarioRules } from './trade-fixtures';

describe('scenario: a trade with several lines', () => {
  const trade = rawTrade({
    trade_no: 'JY202403050001',
    shop_no: 'JD001',
    warehouse_no: 'WH-GZ01',
    goods_list: [
      rawLine({
        rec_id: '9001',
        spec_no: 'SKU-005',
        num: '1.0000',
        share_amount: '299.0000',
        tax_rate: '0.1300',
      }),
      rawLine({
        rec_id: '9002',
        spec_no: 'SKU-004',
        num: '3.0000',
        share_amount: '240.0000',
        tax_rate: '0.0900',
      }),
      rawLine({
        rec_id: '9003',
        spec_no: 'SKU-017',
        num: '2.0000',
        share_amount: '230.4000',
        tax_rate: '0.0600',
      }),
    ],
  });

  it('keeps every line, in WDT order, each with its own price and tax rate', () => {
    const order = orderOf(mapTrade(trade, scenarioRules()));
    expect(order.billNo).toBe('JY202403050001');
    expect(order.customerNumber).toBe('CUST-JD001');
    expect(order.project).toEqual({ field: 'custom_field42obgp309axx5_number', value: 'JD001' });
    expect(order.lines.map(asDecimals)).toEqual([
      {
        sourceRecId: '9001',
        materialNumber: 'SKU-005',
        storeNumber: 'WH-GZ01',
        qty: '1',
        taxPrice: '299',
        isFree: false,
        taxPercent: '13',
        shareAmount: '299',
      },
      {
        sourceRecId: '9002',
        materialNumber: 'SKU-004',
        storeNumber: 'WH-GZ01',
        qty: '3',
        taxPrice: '80',
        isFree: false,
        taxPercent: '9',
        shareAmount: '240',
      },
      {
        sourceRecId: '9003',
        materialNumber: 'SKU-017',
        storeNumber: 'WH-GZ01',
        qty: '2',
        taxPrice: '115.2',
        isFree: false,
        taxPercent: '6',
        shareAmount: '230.4',
      },
    ]);
  });

  it('applies the store and material overrides of the mapping file to every line', () => {
    const rules = scenarioRules({
      stores: { byWarehouse: { 'WH-GZ01': 'ST-GUANGZHOU' } },
      materials: { bySpecNo: { 'SKU-004': 'MAT-TEA-250' } },
    });
    const order = orderOf(mapTrade(trade, rules));
    expect(order.lines.map((line) => [line.materialNumber, line.storeNumber])).toEqual([
      ['SKU-005', 'ST-GUANGZHOU'],
      ['MAT-TEA-250', 'ST-GUANGZHOU'],
      ['SKU-017', 'ST-GUANGZHOU'],
    ]);
    expect(order.source.warehouseNo).toBe('WH-GZ01');
  });
});
