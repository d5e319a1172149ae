import { waitFor } from '@app/testing';
import {
  attemptsOf,
  billNumber,
  families,
  type Family,
  ledgerRows,
  loaderScenario,
  normalizedOrder,
} from './loader-harness';

type Line = {
  material: string;
  store: string;
  qty: string;
  unit: string;
  price: string;
  free: boolean;
  tax: string;
};

/** The save body the sandbox keeps, in the family's names (no id: a create). */
const bodyIn = (family: Family, billNo: string, customer: string, lines: Line[]) =>
  family === 'v1'
    ? {
        billno: billNo,
        billdate: '2024-06-18',
        customerid_id: customer,
        custom_field42obgp309axx5_number: 'TM001',
        material_entity: lines.map((l) => ({
          materialid_id: l.material,
          stockid_id: l.store,
          qty: l.qty,
          unit_id: l.unit,
          taxprice: l.price,
          is_free: l.free,
          cess: l.tax,
        })),
      }
    : {
        bill_no: billNo,
        bill_date: '2024-06-18',
        customer_id: customer,
        custom_field: { custom_field42obgp309axx5_number: 'TM001' },
        material_entity: lines.map((l) => ({
          material_id: l.material,
          stock_id: l.store,
          qty: l.qty,
          unit_id: l.unit,
          tax_price: l.price,
          cess: l.tax,
          is_free: l.free,
        })),
      };

describe.each(families)('loader (%s): new orders are created once, one Xingchen call each', (family) => {
  const s = loaderScenario(family);

  it('creates each bill once with ids resolved from numbers, and records it in the ledger', async () => {
    const topics = await s.newTopics();
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
    await s.produce(topics, orders);
    s.loader = await s.start(topics);

    await waitFor(() => s.sandbox.orders().length === 12, {
      timeoutMs: 60_000,
      description: '12 orders in Xingchen',
    });
    await waitFor(async () => (await s.lag(topics)) === 0, {
      description: 'loader lag 0',
    });

    const m = (n: string) => s.sandbox.state.materials.get(n)!;
    for (const [i, billNo] of bills.entries()) {
      const stored = s.sandbox.orders().filter((o) => o.billno === billNo);
      expect(stored).toHaveLength(1);
      expect(stored[0].modifications).toBe(0);
      expect(stored[0].bodyFamily).toBe(family);
      expect(stored[0].body).toEqual(
        bodyIn(family, billNo, s.sandbox.state.customers.get(i % 2 === 0 ? 'CUST-TM001' : 'CUST-JD001')!.id, [
          {
            material: m('SKU-001').id,
            store: s.sandbox.state.stores.get('WH-SH01')!.id,
            qty: '2',
            unit: m('SKU-001').baseUnit.id,
            price: '59.9000',
            free: false,
            tax: '13',
          },
          {
            material: m('SKU-007').id,
            store: s.sandbox.state.stores.get('WH-GZ01')!.id,
            qty: String(i + 1),
            unit: m('SKU-007').baseUnit.id,
            price: '79.0000',
            free: i % 3 === 0,
            tax: '9',
          },
        ]),
      );
    }
    // one save per order; no look-up of sales orders (the intent row makes it unnecessary)
    expect(s.saveCalls()).toEqual({ ok: 12 });
    expect(s.callsOf(family, 'sal_order_list')).toEqual({});
    const rows = await ledgerRows(bills);
    for (const [i, billNo] of bills.entries()) {
      const id = s.sandbox.orders().find((o) => o.billno === billNo)!.id;
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
    expect(await s.counts()).toEqual({ created: 12 });
  });
});
