import { mapTrade } from '../trade-mapper';
import { orderOf, rawLine, rawTrade, scenarioRules } from './trade-fixtures';

const hashOf = (trade: Record<string, unknown>): string =>
  orderOf(mapTrade(trade, scenarioRules())).contentHash;

describe('scenario: a WDT change that does not change the order', () => {
  const base = rawTrade();

  it('a new logistics number, modified time, version, status or rec_id keeps the content hash', () => {
    const shipped = rawTrade({
      logistics_no: 'SF1400012345678',
      modified: '2022-11-03 18:20:00',
      version_id: '9',
      trade_status: 95,
      goods_list: [rawLine({ rec_id: '500999', modified: '2022-11-03 18:20:00', actual_num: '1.0000' })],
    });
    expect(hashOf(shipped)).toBe(hashOf(base));
  });

  it.each([
    ['quantity', rawTrade({ goods_list: [rawLine({ num: '2.0000', share_amount: '119.8000' })] })],
    ['price', rawTrade({ goods_list: [rawLine({ share_amount: '49.9000' })] })],
    ['material', rawTrade({ goods_list: [rawLine({ spec_no: 'SKU-002' })] })],
    ['warehouse', rawTrade({ warehouse_no: 'WH-CD01' })],
    ['gift flag', rawTrade({ goods_list: [rawLine({ gift_type: 1 })] })],
    ['tax rate', rawTrade({ goods_list: [rawLine({ tax_rate: '0.0900' })] })],
    ['bill date', rawTrade({ trade_time: '2022-11-02 10:15:30' })],
    ['customer', rawTrade({ shop_no: 'JD001' })],
  ])('a change of %s changes the hash', (_what, changed) => {
    expect(hashOf(changed)).not.toBe(hashOf(base));
  });
});
