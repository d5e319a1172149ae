import { NonRetriableError } from '@app/contracts';
import { type XingchenClient, type SalesOrderBody } from '@app/xingchen-client';
import {
  createXingchenSandbox,
  type XingchenSandbox,
} from '../../../apps/xingchen-sandbox/src/xingchen-sandbox';
import { clientFor, validOrder } from './sandbox-harness';

/** sal_order_save validates every field and keeps bill numbers unique. */
describe('xingchen sandbox: sal_order_save is strict', () => {
  let sandbox: XingchenSandbox;
  let client: XingchenClient;

  beforeAll(async () => {
    sandbox = createXingchenSandbox({ faults: { rateLimitPerMinute: 6000 } });
    await sandbox.listen(0);
    client = clientFor(sandbox);
  });
  afterAll(async () => {
    client.close();
    await sandbox.close();
  });

  const rejection = async (body: unknown) => {
    const error = await client.saveSalesOrder(body as SalesOrderBody).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    return (error as NonRetriableError).code;
  };
  const line = (patch: Record<string, unknown>, billno = 'V-LINE') => {
    const order = validOrder(sandbox, billno);
    return { ...order, material_entity: [{ ...order.material_entity[0], ...patch }] };
  };

  it('creates, stores the body, and modifies by id', async () => {
    const { id } = await client.saveSalesOrder(validOrder(sandbox, 'V-1'));
    expect(id).toMatch(/^\d+$/);
    await expect(client.saveSalesOrder({ ...validOrder(sandbox, 'V-1', '5'), id })).resolves.toEqual({ id });
    const stored = sandbox.orders().find((o) => o.id === id)!;
    expect(stored.billno).toBe('V-1');
    expect(stored.modifications).toBe(1);
    expect((stored.body.material_entity as Array<{ qty: string }>)[0].qty).toBe('5');
    expect(stored.body.id).toBeUndefined();
  });

  it('rejects a create with an existing bill number (2006) and a modify of an unknown id (2007)', async () => {
    await client.saveSalesOrder(validOrder(sandbox, 'V-2'));
    expect(await rejection(validOrder(sandbox, 'V-2'))).toBe('2006');
    expect(await rejection({ ...validOrder(sandbox, 'V-3'), id: '99999' })).toBe('2007');
    expect(sandbox.orders().filter((o) => o.billno === 'V-2')).toHaveLength(1);
  });

  it('rejects the modification of an audited order (2008)', async () => {
    const { id } = await client.saveSalesOrder(validOrder(sandbox, 'V-4'));
    const audited = await fetch(`${sandbox.url}/__sandbox/orders/${id}/audit`, { method: 'POST' });
    expect(audited.status).toBe(200);
    expect(await rejection({ ...validOrder(sandbox, 'V-4', '3'), id })).toBe('2008');
  });

  it('checks that customer, material and store ids exist and the unit belongs to the material', async () => {
    expect(await rejection({ ...validOrder(sandbox, 'V-5'), customerid_id: '1' })).toBe('2002');
    expect(await rejection(line({ materialid_id: sandbox.state.customers.get('CUST-TM001')!.id }))).toBe(
      '2003',
    );
    expect(await rejection(line({ stockid_id: 'nope' }))).toBe('2004');
    // 件 (SKU-003's unit) is not a unit of SKU-001 (个, 箱)
    expect(await rejection(line({ unit_id: sandbox.state.materials.get('SKU-003')!.baseUnit.id }))).toBe(
      '2005',
    );
    // the auxiliary unit (箱) of SKU-001 is allowed
    const box = sandbox.state.materials.get('SKU-001')!.extraUnits[0].id;
    await expect(client.saveSalesOrder(line({ unit_id: box }, 'V-BOX'))).resolves.toEqual({
      id: expect.any(String),
    });
  });

  it('requires numbers as strings, qty > 0, a real date and no unknown fields (2001)', async () => {
    expect(await rejection(line({ qty: 2 }))).toBe('2001');
    expect(await rejection(line({ qty: '0' }))).toBe('2001');
    expect(await rejection(line({ qty: '-1' }))).toBe('2001');
    expect(await rejection(line({ taxprice: 59.9 }))).toBe('2001');
    expect(await rejection(line({ cess: '0.13x' }))).toBe('2001');
    expect(await rejection(line({ is_free: 'yes' }))).toBe('2001');
    expect(await rejection(line({ materialid: 'x' }))).toBe('2001');
    expect(await rejection({ ...validOrder(sandbox, 'V-6'), billdate: '2024-02-30' })).toBe('2001');
    expect(await rejection({ ...validOrder(sandbox, 'V-6'), billno: '' })).toBe('2001');
    expect(await rejection({ ...validOrder(sandbox, 'V-6'), customer_id: 'x' })).toBe('2001');
    expect(await rejection({ ...validOrder(sandbox, 'V-6'), material_entity: [] })).toBe('2001');
    expect(await rejection({ ...validOrder(sandbox, 'V-6'), customerid_id: 11000001 })).toBe('2001');
    expect(sandbox.orders().some((o) => o.billno === 'V-6' || o.billno === 'V-LINE')).toBe(false);
  });

  it('finds orders by bill number and by id', async () => {
    const { id } = await client.saveSalesOrder(validOrder(sandbox, 'V-7'));
    await expect(client.findSalesOrderByBillNo('V-7')).resolves.toEqual({ id, billno: 'V-7' });
    await expect(client.findSalesOrderByBillNo('V-404')).resolves.toBeNull();
    const detail = await client.getSalesOrder(id);
    expect(detail).toMatchObject({ id, billno: 'V-7', billdate: '2024-03-01', audit_status: 'A' });
  });
});
