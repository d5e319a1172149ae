/* eslint-disable @typescript-eslint/no-unsafe-return -- answers are untyped JSON (Loose) */
import { type XingchenSandbox } from '../../../apps/xingchen-sandbox/src';
import { admin, startSandbox, validV1Order, V1Session, type Loose } from './sandbox-harness';

/** The V1 sal_order_save validates every field and keeps bill numbers unique (refusals: inner data.success false). */
describe('xingchen sandbox: V1 sal_order_save is strict', () => {
  let sandbox: XingchenSandbox;
  let v1: V1Session;

  beforeAll(async () => {
    sandbox = await startSandbox();
    v1 = await V1Session.open(sandbox);
  });
  afterAll(() => sandbox.close());

  const save = (body: unknown) => v1.post('/jdy/sal/sal_order_save', body);
  const refusal = async (body: unknown): Promise<string> => {
    const answer = await save(body);
    expect(answer.body.success).toBe(true);
    expect(answer.body.data.success).toBe(false);
    return answer.body.data.errorInfo[0].msg as string;
  };
  const line = (patch: Loose, billno = 'V-LINE') => {
    const order = validV1Order(sandbox, billno);
    return { ...order, material_entity: [{ ...order.material_entity[0], ...patch }] };
  };

  it('creates, stores the body, and modifies by id', async () => {
    const id = (await save(validV1Order(sandbox, 'V-1'))).body.data.successPkIds[0] as string;
    expect(id).toMatch(/^\d+$/);
    expect((await save({ ...validV1Order(sandbox, 'V-1', '5'), id })).body.data.successPkIds).toEqual([id]);
    const stored = sandbox.orders().find((o) => o.id === id)!;
    expect(stored).toMatchObject({ billno: 'V-1', family: 'v1', modifications: 1 });
    expect((stored.body.material_entity as Array<{ qty: string }>)[0].qty).toBe('5');
    expect(stored.body.id).toBeUndefined();
  });

  it('refuses a create with an existing bill number and a modify of an unknown id', async () => {
    await save(validV1Order(sandbox, 'V-2'));
    expect(await refusal(validV1Order(sandbox, 'V-2'))).toContain('单据编号已存在');
    expect(await refusal({ ...validV1Order(sandbox, 'V-3'), id: '99999' })).toContain('单据不存在');
    expect(sandbox.orders().filter((o) => o.billno === 'V-2')).toHaveLength(1);
  });

  it('checks that customer, material and store ids exist and the unit belongs to the material', async () => {
    expect(await refusal({ ...validV1Order(sandbox, 'V-5'), customerid_id: '1' })).toContain('客户不存在');
    const customerId = sandbox.state.customers.get('CUST-TM001')!.id;
    expect(await refusal(line({ materialid_id: customerId }))).toContain('商品不存在');
    expect(await refusal(line({ stockid_id: 'nope' }))).toContain('仓库不存在');
    // 件 (SKU-003's unit) is not a unit of SKU-001 (个, 箱)
    expect(await refusal(line({ unit_id: sandbox.state.materials.get('SKU-003')!.baseUnit.id }))).toContain(
      '不是商品 SKU-001 的单位',
    );
    // the auxiliary unit (箱) of SKU-001 is allowed
    const box = sandbox.state.materials.get('SKU-001')!.extraUnits[0].id;
    expect((await save(line({ unit_id: box }, 'V-BOX'))).body.data.success).toBe(true);
  });

  it('requires numbers as strings, qty > 0, a real date, the required fields and no unknown fields', async () => {
    const cases: Array<[unknown, string]> = [
      [line({ qty: 2 }), 'invalid value for string type'],
      [line({ qty: '0' }), 'qty 必须大于 0'],
      [line({ qty: '-1' }), 'qty 必须大于 0'],
      [line({ taxprice: 59.9 }), 'material_entity[0].taxprice'],
      [line({ cess: '0.13x' }), 'material_entity[0].cess'],
      [line({ is_free: 'false' }), 'material_entity[0].is_free'],
      [line({ materialid: 'x' }), 'unknown field "material_entity[0].materialid"'],
      [line({ taxprice: undefined }), 'material_entity[0].taxprice 必填'],
      [{ ...validV1Order(sandbox, 'V-6'), billdate: '2024-02-30' }, 'billdate'],
      [{ ...validV1Order(sandbox, 'V-6'), billno: '' }, 'billno 必填'],
      [{ ...validV1Order(sandbox, 'V-6'), customer_id: 'x' }, 'unknown field "customer_id"'],
      [{ ...validV1Order(sandbox, 'V-6'), material_entity: [] }, 'material_entity 至少一行'],
      [{ ...validV1Order(sandbox, 'V-6'), customerid_id: 11000001 }, 'customerid_id'],
    ];
    for (const [body, text] of cases) expect(await refusal(body)).toContain(text);
    expect(sandbox.orders().some((o) => o.billno === 'V-6' || o.billno === 'V-LINE')).toBe(false);
  });

  it('finds orders by bill number and by id; an audited one reads billstatus C', async () => {
    const id = (await save(validV1Order(sandbox, 'V-7'))).body.data.successPkIds[0] as string;
    const rows = (await v1.post('/jdy/sal/sal_order_list', { billno: 'V-7' })).body.data.rows as Loose[];
    expect(rows.map((r) => [r.id, r.billno])).toEqual([[id, 'V-7']]);
    expect((await v1.post('/jdy/sal/sal_order_list', { billno: 'V-404' })).body.data.rows).toEqual([]);
    await admin(sandbox, 'POST', `/__sandbox/orders/${id}/audit`);
    const detail = (await v1.post('/jdy/sal/sal_order_detail', { id })).body.data;
    expect(detail).toMatchObject({ id, billno: 'V-7', billdate: '2024-03-01', billstatus: 'C' });
  });
});
