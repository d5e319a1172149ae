import { parseMappingText } from '../mapping-file';
import { mapRawMessage, mapTrade } from '../trade-mapper';
import { orderOf, rawLine, rawTrade } from './trade-fixtures';

describe('scenario: Chinese text in codes, names and the remark', () => {
  const rules = parseMappingText(
    [
      'customers:',
      '  byShop:',
      '    天猫旗舰店01: 客户-天猫',
      'stores:',
      '  byWarehouse:',
      '    上海仓: 仓库-上海',
      'materials:',
      '    bySpecNo:',
      '      保温杯-白: 物料-保温杯-白',
      'remark:',
      '  template: "旺店通订单 {trade_no}（{shop_name}）买家：{buyer_nick}"',
    ].join('\n'),
    'mapping.yaml',
  );
  const trade = rawTrade({
    shop_no: '天猫旗舰店01',
    shop_name: '天猫旗舰店',
    warehouse_no: '上海仓',
    buyer_nick: '买家小王',
    goods_list: [rawLine({ spec_no: '保温杯-白', goods_name: '保温杯', spec_name: '500ml 白色' })],
  });

  it('maps Chinese codes through the mapping file and renders the remark template', () => {
    const order = orderOf(mapTrade(trade, rules));
    expect(order.customerNumber).toBe('客户-天猫');
    expect(order.project).toEqual({ field: 'custom_field42obgp309axx5_number', value: '天猫旗舰店01' });
    expect(order.lines.map((line) => [line.materialNumber, line.storeNumber])).toEqual([
      ['物料-保温杯-白', '仓库-上海'],
    ]);
    expect(order.remark).toBe('旺店通订单 JY202211010624（天猫旗舰店）买家：买家小王');
    expect(order.source.shopNo).toBe('天猫旗舰店01');
  });

  it('reads the UTF-8 bytes of a Kafka message the same way', () => {
    const fromBytes = orderOf(mapRawMessage(Buffer.from(JSON.stringify(trade), 'utf8'), rules));
    expect(fromBytes).toEqual(orderOf(mapTrade(trade, rules)));
  });
});
