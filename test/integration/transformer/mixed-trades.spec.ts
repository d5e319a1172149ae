import { isOrder, parseNormalizedOrderMessage } from '@app/contracts';
import { groupLag, produce, readAll, suiteBroker, waitFor, waitForRecords, aTrade } from '@app/testing';
import { startTransformer, transformerCounts, transformerTopics } from './transformer-harness';

describe('transformer: a mix of eligible, filtered and invalid raw trades through the real broker', () => {
  const broker = suiteBroker();

  it('produces exactly the expected normalized messages, dead-letters the invalid ones with reasons, and commits to the end', async () => {
    const topics = await transformerTopics(broker.admin, 1); // one partition: each bad message is followed by a good one
    const withoutGoods = aTrade({ trade_no: 'JY-IT-0003' });
    delete withoutGoods.goods_list;
    const raw: Array<{ key: string; value: string }> = [
      { key: 'JY-IT-0001', value: JSON.stringify(aTrade()) },
      { key: 'garbage', value: 'this is not JSON {' },
      {
        key: 'JY-IT-0002',
        value: JSON.stringify(
          aTrade({
            trade_no: 'JY-IT-0002',
            shop_no: 'JD001',
            warehouse_no: 'WH-GZ01',
            trade_status: 95,
            goods_list: [
              {
                rec_id: '21',
                spec_no: 'SKU-005',
                num: '3.0000',
                share_amount: '100.0000',
                gift_type: 0,
                refund_status: 0,
                tax_rate: '0.0900',
              },
              {
                rec_id: '22',
                spec_no: 'SKU-006',
                num: '1.0000',
                share_amount: '0.0000',
                gift_type: 1,
                refund_status: 0,
              },
            ],
          }),
        ),
      },
      { key: 'JY-IT-0003', value: JSON.stringify(withoutGoods) },
      { key: 'JY-IT-0004', value: JSON.stringify(aTrade({ trade_no: 'JY-IT-0004', trade_status: 30 })) },
      {
        key: 'JY-IT-0005',
        value: JSON.stringify(
          aTrade({
            trade_no: 'JY-IT-0005',
            goods_list: [
              {
                rec_id: '51',
                spec_no: 'SKU-002',
                num: '-1.0000',
                share_amount: '59.9000',
                gift_type: 0,
                refund_status: 0,
              },
            ],
          }),
        ),
      },
      {
        key: 'JY-IT-0006',
        value: JSON.stringify(
          aTrade({ trade_no: 'JY-IT-0006', trade_status: 5, modified: '2024-06-19 09:00:00' }),
        ),
      },
      { key: 'JY-IT-0007', value: JSON.stringify(aTrade({ trade_no: 'JY-IT-0007', shop_no: 'KS001' })) },
      {
        key: 'JY-IT-0008',
        value: JSON.stringify(
          aTrade({
            trade_no: 'JY-IT-0008',
            goods_list: [
              {
                rec_id: '81',
                spec_no: 'SKU-001',
                num: '1.0000',
                share_amount: '59.9000',
                gift_type: 0,
                refund_status: 5,
              },
            ],
          }),
        ),
      },
      {
        key: 'JY-IT-0009',
        value: JSON.stringify(
          aTrade({
            trade_no: 'JY-IT-0009',
            shop_no: 'PDD01',
            trade_time: '2024-06-30 23:59:59',
            modified: '2024-06-30 23:59:59',
          }),
        ),
      },
    ];
    const service = await startTransformer(topics);
    try {
      await produce(
        broker.kafka,
        topics.raw,
        raw.map((m, index) => ({ ...m, headers: { 'correlation-id': `cid-${index}` } })),
      );
      await waitFor(async () => (await groupLag(broker.admin, topics.group, topics.raw)) === 0, {
        timeoutMs: 60000,
        description: 'the transformer committed every raw offset',
      });

      const normalized = (await waitForRecords(broker.kafka, topics.normalized, 4)).sort((a, b) =>
        a.key!.localeCompare(b.key!),
      );
      expect(normalized.map((r) => r.key)).toEqual(['JY-IT-0001', 'JY-IT-0002', 'JY-IT-0006', 'JY-IT-0009']);
      const values = normalized.map((r) => parseNormalizedOrderMessage(JSON.parse(r.value!)));
      const [first, second, third, fourth] = values;
      if (!isOrder(first) || !isOrder(second) || isOrder(third) || !isOrder(fourth))
        throw new Error('unexpected kinds');

      expect(normalized[0].headers).toEqual({
        'correlation-id': 'cid-0',
        'schema-version': '1',
        'source-system': 'wdt',
        'source-modified': '2024-06-18T10:05:00+08:00',
      });
      expect(first).toEqual({
        kind: 'order',
        schemaVersion: 1,
        billNo: 'JY-IT-0001',
        billDate: '2024-06-18',
        customerNumber: 'CUST-TM001',
        project: { field: 'custom_field42obgp309axx5_number', value: 'TM001' },
        lines: [
          {
            sourceRecId: '1',
            materialNumber: 'SKU-001',
            storeNumber: 'WH-SH01',
            qty: '2',
            taxPrice: '59.9000',
            isFree: false,
            taxPercent: '13',
            shareAmount: '119.8000',
          },
        ],
        source: {
          system: 'wdt',
          tradeId: '200001',
          tradeNo: 'JY-IT-0001',
          shopNo: 'TM001',
          warehouseNo: 'WH-SH01',
          tradeStatus: 55,
          modified: '2024-06-18T10:05:00+08:00',
        },
        contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
      });
      expect(normalized[1].headers['correlation-id']).toBe('cid-2');
      expect([second.kind, second.customerNumber, second.source.tradeStatus]).toEqual([
        'order',
        'CUST-JD001',
        95,
      ]);
      expect(
        second.lines.map((l) => [l.materialNumber, l.storeNumber, l.qty, l.taxPrice, l.isFree, l.taxPercent]),
      ).toEqual([
        ['SKU-005', 'WH-GZ01', '3', '33.3333', false, '9'],
        ['SKU-006', 'WH-GZ01', '1', '0.0000', true, '13'],
      ]);
      expect(normalized[2].headers['source-modified']).toBe('2024-06-19T09:00:00+08:00');
      expect(third).toEqual({
        kind: 'cancellation',
        schemaVersion: 1,
        billNo: 'JY-IT-0006',
        source: {
          system: 'wdt',
          tradeId: '200001',
          tradeNo: 'JY-IT-0006',
          shopNo: 'TM001',
          warehouseNo: 'WH-SH01',
          tradeStatus: 5,
          modified: '2024-06-19T09:00:00+08:00',
        },
      });
      expect([fourth.billDate, fourth.customerNumber]).toEqual(['2024-06-30', 'CUST-PDD01']);

      const dead = (await readAll(broker.kafka, topics.rawDlq)).sort(
        (a, b) => Number(a.headers['dlq-original-offset']) - Number(b.headers['dlq-original-offset']),
      );
      expect(
        dead.map((r) => [r.key, r.headers['dlq-original-offset'], r.headers['dlq-error-reason']]),
      ).toEqual([
        ['garbage', '1', 'not_json'],
        ['JY-IT-0003', '3', 'missing_field'],
        ['JY-IT-0005', '5', 'negative_quantity'],
        ['JY-IT-0007', '7', 'unmapped_shop'],
      ]);
      expect(dead.map((r) => r.headers['dlq-error-message'])).toEqual([
        expect.stringMatching(/^the message is not JSON \(.+\): this is not JSON \{$/),
        'required field missing: goods_list',
        'goods_list[0] (rec_id 51, spec_no SKU-002) has a negative quantity num "-1.0000"',
        'shop_no "KS001" is not in customers.byShop of the mapping file and there is no customers.default',
      ]);
      expect(dead[0].value).toBe('this is not JSON {');
      expect(dead[0].headers).toMatchObject({
        'correlation-id': 'cid-1',
        'dlq-original-topic': topics.raw,
        'dlq-original-partition': '0',
        'dlq-error-class': 'NonRetriableError',
        'dlq-attempts': '1',
      });

      expect(await transformerCounts(service.url)).toEqual({
        mapped: 3,
        cancelled: 1,
        filtered: 2,
        invalid: 4,
      });
      // nothing more arrives: the filtered trades produced nothing
      expect((await readAll(broker.kafka, topics.normalized)).length).toBe(4);
    } finally {
      await service.close();
    }
  });
});
