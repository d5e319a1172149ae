import { type XingchenSandbox } from '../../../apps/xingchen-sandbox/src';
import {
  http,
  qs,
  signed,
  startSandbox,
  v2Call,
  v2Token,
  validV1Order,
  validV2Order,
  V1Session,
} from './sandbox-harness';

/** Each family with its own auth and its own names; everything else refused the way the real service would. */
describe('xingchen sandbox: the two families do not mix', () => {
  let sandbox: XingchenSandbox;
  let token: string;
  let v1: V1Session;

  beforeAll(async () => {
    sandbox = await startSandbox();
    token = await v2Token(sandbox);
    v1 = await V1Session.open(sandbox);
  });
  afterAll(() => sandbox.close());

  it('refuses the hybrid (V1 path /jdy/sal/sal_order_save signed the V2 way with an app-token) and stores nothing', async () => {
    const hybrid = await v2Call(sandbox, token, 'POST', '/jdy/sal/sal_order_save', {
      body: validV1Order(sandbox, 'H-1'),
    });
    expect(hybrid.status).toBe(519);
    expect(hybrid.body).toMatchObject({ code: 5001, errcode: 5001 });
    // without X-GW-Router-Addr it reaches the V1 service, which has no access_token: 4009
    const path = '/jdy/sal/sal_order_save';
    const noRouter = await http(sandbox, 'POST', path, {
      headers: { ...signed(sandbox, 'POST', path), 'app-token': token },
      body: validV1Order(sandbox, 'H-1'),
    });
    expect([noRouter.status, noRouter.body.code]).toEqual([519, 4009]);
    expect(sandbox.orders()).toHaveLength(0);
    expect(sandbox.stats().calls['v1.sal_order_save']).toEqual({ gw_5001: 1, gw_4009: 1 });
  });

  it('answers 519 5001 to /jdy/sal and /jdy/basedata paths called on the V2 gateway, and to unknown /jdy/v2 paths', async () => {
    for (const path of [
      '/jdy/sal/sal_order_list',
      '/jdy/basedata/customer_list',
      '/jdy/v2/scm/sal_order_save',
    ]) {
      const answer = await v2Call(sandbox, token, 'POST', path, { body: {} });
      expect([path, answer.status, answer.body.code]).toEqual([path, 519, 5001]);
    }
    const wrongMethod = await v2Call(sandbox, token, 'DELETE', '/jdy/v2/scm/sal_order');
    expect([wrongMethod.status, wrongMethod.body.code]).toEqual([519, 5002]);
  });

  it('answers a V2 path called the V1 way (?access_token=, no signature) with 519 4009', async () => {
    const answer = await http(sandbox, 'POST', `/jdy/v2/scm/sal_order${qs({ access_token: v1.token })}`, {
      headers: { accountId: v1.accountId, groupName: v1.groupName },
      body: validV2Order(sandbox, 'H-2'),
    });
    expect([answer.status, answer.body.code]).toEqual([519, 4009]);
    expect(sandbox.orders()).toHaveLength(0);
  });

  it('refuses V1 names on the V2 save, naming the field', async () => {
    for (const [patch, field] of [
      [{ billno: 'H-3' }, 'billno'],
      [{ customerid_id: 'x' }, 'customerid_id'],
      [{ custom_field42obgp309axx5_number: 'TM001' }, 'custom_field42obgp309axx5_number'],
    ] as const) {
      const answer = await v2Call(sandbox, token, 'POST', '/jdy/v2/scm/sal_order', {
        body: { ...validV2Order(sandbox, 'H-3'), ...patch },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.errcode).not.toBe(0);
      expect(answer.body.description).toContain(`unknown field "${field}"`);
    }
    const order = validV2Order(sandbox, 'H-3');
    const line = { ...order.material_entity[0], taxprice: '1' };
    const answer = await v2Call(sandbox, token, 'POST', '/jdy/v2/scm/sal_order', {
      body: { ...order, material_entity: [line] },
    });
    expect(answer.body.description).toContain('unknown field "material_entity[0].taxprice"');
    expect(sandbox.orders()).toHaveLength(0);
  });

  it('refuses V2 names on the V1 save (inner data.success false, the field named)', async () => {
    for (const [patch, field] of [
      [{ bill_no: 'H-4' }, 'bill_no'],
      [{ customer_id: 'x' }, 'customer_id'],
      [{ custom_field: { a: 'b' } }, 'custom_field'],
    ] as const) {
      const answer = await v1.post('/jdy/sal/sal_order_save', { ...validV1Order(sandbox, 'H-4'), ...patch });
      expect(answer.status).toBe(200);
      expect(answer.body.success).toBe(true);
      expect(answer.body.data).toMatchObject({ success: false, successPkIds: [] });
      expect(answer.body.data.errorInfo[0].msg).toContain(`unknown field "${field}"`);
    }
    expect(sandbox.orders()).toHaveLength(0);
  });

  it('refuses a JSON number for qty in both families', async () => {
    const v1Order = validV1Order(sandbox, 'H-5');
    v1Order.material_entity[0].qty = 2;
    const v1Answer = await v1.post('/jdy/sal/sal_order_save', v1Order);
    expect(v1Answer.body.data.errorInfo[0].msg).toContain(
      'invalid value for string type: material_entity[0].qty',
    );
    const v2Order = validV2Order(sandbox, 'H-5');
    v2Order.material_entity[0].qty = 10;
    const v2Answer = await v2Call(sandbox, token, 'POST', '/jdy/v2/scm/sal_order', { body: v2Order });
    expect(v2Answer.body).toMatchObject({ errcode: 2001, data: null });
    expect(v2Answer.body.description).toContain('invalid value for string type: material_entity[0].qty');
    expect(sandbox.orders()).toHaveLength(0);
  });

  it('refuses an id of another kind (material id as customer, a unit of another material, a store id as material)', async () => {
    const materialId = sandbox.state.materials.get('SKU-001')!.id;
    const wrongCustomer = await v2Call(sandbox, token, 'POST', '/jdy/v2/scm/sal_order', {
      body: { ...validV2Order(sandbox, 'H-6'), customer_id: materialId },
    });
    expect(wrongCustomer.body).toMatchObject({ errcode: 2002 });
    expect(wrongCustomer.body.description).toContain('customer_id');
    const v1Order = validV1Order(sandbox, 'H-6');
    v1Order.material_entity[0].unit_id = sandbox.state.materials.get('SKU-003')!.baseUnit.id;
    const wrongUnit = await v1.post('/jdy/sal/sal_order_save', v1Order);
    expect(wrongUnit.body.data.errorInfo[0].msg).toContain('material_entity[0].unit_id');
    const v1Store = validV1Order(sandbox, 'H-6');
    v1Store.material_entity[0].materialid_id = sandbox.state.stores.get('WH-SH01')!.id;
    const wrongMaterial = await v1.post('/jdy/sal/sal_order_save', v1Store);
    expect(wrongMaterial.body.data.errorInfo[0].msg).toContain('商品不存在');
    expect(sandbox.orders()).toHaveLength(0);
  });

  it('reads a bill created through V1 in V2 names, and one created through V2 in V1 names', async () => {
    const created = await v1.post('/jdy/sal/sal_order_save', validV1Order(sandbox, 'X-1'));
    const id = created.body.data.successPkIds[0] as string;
    const v2Detail = await v2Call(sandbox, token, 'GET', '/jdy/v2/scm/sal_order_detail', { query: { id } });
    expect(v2Detail.body.data).toMatchObject({
      id,
      bill_no: 'X-1',
      bill_date: '2024-03-01',
      bill_status: 'Z',
      customer_number: 'CUST-TM001',
      custom_field: { custom_field42obgp309axx5_number: 'TM001' },
      material_entity: [
        { material_number: 'SKU-001', qty: '2', tax_price: '59.9000', cess: '13', is_free: false },
      ],
    });
    const v2Created = await v2Call(sandbox, token, 'POST', '/jdy/v2/scm/sal_order', {
      body: validV2Order(sandbox, 'X-2'),
    });
    const v2Id = v2Created.body.data.ids[0] as string;
    const v1Detail = await v1.post('/jdy/sal/sal_order_detail', { id: v2Id });
    expect(v1Detail.body.data).toMatchObject({
      id: v2Id,
      billno: 'X-2',
      billdate: '2024-03-01',
      billstatus: 'Z',
      customerid_number: 'CUST-TM001',
      custom_field42obgp309axx5: 'TM001',
      material_entity: [{ materialid_number: 'SKU-001', qty: '2', taxprice: '59.9000', is_free: false }],
    });
    expect(sandbox.orders().map((o) => [o.billno, o.family])).toEqual([
      ['X-1', 'v1'],
      ['X-2', 'v2'],
    ]);
  });
});
