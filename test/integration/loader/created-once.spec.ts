import { type Admin, type Kafka } from 'kafkajs';
import { groupLag, testKafka, waitFor } from '@app/testing';
import { type XingchenSandbox } from '../../../apps/xingchen-sandbox/src/xingchen-sandbox';
import {
  attemptsOf,
  billNumber,
  ledgerRows,
  loaderCounts,
  loaderTopics,
  normalizedOrder,
  produceOrders,
  saveCalls,
  startLoader,
  startSandbox,
  type RunningLoader,
} from './loader-harness';

describe('loader: new orders are created once, one Xingchen call each', () => {
  let kafka: Kafka;
  let admin: Admin;
  let sandbox: XingchenSandbox;
  let loader: RunningLoader | undefined;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await loader?.close();
    await sandbox.close();
    await admin.disconnect();
  });

  it('creates each bill once with ids resolved from numbers, and records it in the ledger', async () => {
    const topics = await loaderTopics(admin);
    const bills = Array.from({ length: 12 }, () => billNumber('JY-NEW'));
    const orders = bills.map((billNo, i) =>
      normalizedOrder({
        billNo,
        customer: i % 2 === 0 ? 'CUST-TM001' : 'CUST-JD001',
        lines: [
          { sku: 'SKU-001', qty: '2', price: '59.9000' },
          {
            sku: 'SKU-007',
            store: 'WH-GZ01',
            qty: String(i + 1),
            price: '79.0000',
            free: i % 3 === 0,
            tax: '9',
          },
        ],
      }),
    );
    await produceOrders(kafka, topics.normalized, orders);
    loader = await startLoader(topics, sandbox);

    await waitFor(() => sandbox.orders().length === 12, {
      timeoutMs: 60_000,
      description: '12 orders in Xingchen',
    });
    await waitFor(async () => (await groupLag(admin, topics.group, topics.normalized)) === 0, {
      description: 'loader lag 0',
    });

    const m = (n: string) => sandbox.state.materials.get(n)!;
    for (const [i, billNo] of bills.entries()) {
      const stored = sandbox.orders().filter((o) => o.billno === billNo);
      expect(stored).toHaveLength(1);
      expect(stored[0].modifications).toBe(0);
      expect(stored[0].body).toEqual({
        billno: billNo,
        billdate: '2024-06-18',
        customerid_id: sandbox.state.customers.get(i % 2 === 0 ? 'CUST-TM001' : 'CUST-JD001')!.id,
        custom_field42obgp309axx5_number: 'TM001',
        material_entity: [
          {
            materialid_id: m('SKU-001').id,
            stockid_id: sandbox.state.stores.get('WH-SH01')!.id,
            qty: '2',
            unit_id: m('SKU-001').baseUnit.id,
            taxprice: '59.9000',
            is_free: false,
            cess: '13',
          },
          {
            materialid_id: m('SKU-007').id,
            stockid_id: sandbox.state.stores.get('WH-GZ01')!.id,
            qty: String(i + 1),
            unit_id: m('SKU-007').baseUnit.id,
            taxprice: '79.0000',
            is_free: i % 3 === 0,
            cess: '9',
          },
        ],
      });
    }
    // one save per order; no look-up of sales orders (the intent row makes it unnecessary)
    expect(saveCalls(sandbox)).toEqual({ ok: 12 });
    expect(sandbox.stats().calls.sal_order_list).toBeUndefined();
    const rows = await ledgerRows(bills);
    for (const [i, billNo] of bills.entries()) {
      const id = sandbox.orders().find((o) => o.billno === billNo)!.id;
      expect(rows.get(billNo)).toEqual({
        bill_no: billNo,
        status: 'synced',
        xingchen_id: id,
        content_hash: orders[i].contentHash,
        synced_content_hash: orders[i].contentHash,
        pending_operation: null,
        attempts: 1,
        last_error_code: null,
        last_error_message: null,
      });
    }
    expect(await attemptsOf(bills[0])).toEqual([
      { operation: 'create', outcome: 'success', error_code: null },
    ]);
    expect(await loaderCounts(loader.url)).toEqual({ created: 12 });
  });
});
