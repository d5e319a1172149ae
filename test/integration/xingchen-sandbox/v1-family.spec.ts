/* eslint-disable @typescript-eslint/no-unsafe-return -- answers are untyped JSON (Loose) */
import { type XingchenSandbox } from '../../../apps/xingchen-sandbox/src';
import {
  admin,
  http,
  qs,
  startSandbox,
  v1Login,
  validV1Order,
  V1Session,
  type Loose,
} from './sandbox-harness';

/** V1 (legacy): login, account sets, save (two-level answer), list, detail, token expiry, audit. */
describe('xingchen sandbox: V1 family', () => {
  let sandbox: XingchenSandbox;
  let offsetMs = 0;

  beforeEach(async () => {
    offsetMs = 0;
    sandbox = await startSandbox({
      now: () => Date.now() + offsetMs,
      faults: { v1TokenTtlSeconds: 60, rateLimitPerMinute: 0, tokenRateLimitPerMinute: 0 },
      extraAccountSets: [{ accountId: '2000000002', groupName: 'second-group', accountName: '第二账套' }],
    });
  });
  afterEach(() => sandbox.close());

  it('logs in (GET query or form POST), refuses wrong credentials with errcode 1000', async () => {
    const login = await v1Login(sandbox);
    expect(login.body).toMatchObject({
      errcode: 0,
      data: { access_token: expect.any(String), expires_in: 60, expires: expect.any(Number), uid: 1 },
    });
    const { clientId, clientSecret, username, password } = sandbox.credentials.v1;
    const form = await http(sandbox, 'POST', '/auth/user/access_token', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: clientId,
        client_secret: clientSecret,
        username,
        password,
      }).toString(),
    });
    expect(form.body.errcode).toBe(0);
    expect((await v1Login(sandbox, { password: 'guess' })).body).toEqual({
      errcode: 1000,
      description: '用户名或密码错误',
    });
    expect(sandbox.stats().loginsIssued).toBe(2);
  });

  it('round trip: login + accountGroup + save + list + detail, with the two-level save answer', async () => {
    const groups = await http(
      sandbox,
      'POST',
      `/jdy/sys/accountGroup${qs({ access_token: (await v1Login(sandbox)).body.data.access_token })}`,
    );
    expect(groups.body.success).toBe(true);
    expect((groups.body.data as Array<{ accountGroups: unknown[] }>).flatMap((d) => d.accountGroups)).toEqual(
      [
        expect.objectContaining({ accountId: sandbox.credentials.v1.accountId, enable: '1' }),
        expect.objectContaining({ accountId: '2000000002', groupName: 'second-group' }),
      ],
    );
    const v1 = await V1Session.open(sandbox);
    const saved = await v1.post('/jdy/sal/sal_order_save', validV1Order(sandbox, 'V1-1'));
    expect(saved.body).toMatchObject({
      success: true,
      data: { success: true, successPkIds: [expect.stringMatching(/^\d+$/)], errorInfo: [] },
    });
    const id = saved.body.data.successPkIds[0] as string;
    const list = await v1.post('/jdy/sal/sal_order_list', { search: 'V1-', page: 1, pagesize: 100 });
    expect(list.body.data).toMatchObject({ count: 1, totalpage: 1, page: 1, pagesize: 100 });
    expect(list.body.data.rows).toEqual([
      expect.objectContaining({
        id,
        billno: 'V1-1',
        billstatus: 'Z',
        customerid_number: 'CUST-TM001',
        totalamount: '119.80',
      }),
    ]);
    const detail = await v1.post('/jdy/sal/sal_order_detail', { id });
    expect(detail.body.data).toMatchObject({ id, billno: 'V1-1', custom_field42obgp309axx5_number: 'TM001' });
    expect(detail.body.data.material_entity).toEqual([
      expect.objectContaining({ id: expect.any(String), qty: '2' }),
    ]);
    expect((await v1.post('/jdy/sal/sal_order_detail', { id: '404' })).body).toMatchObject({
      success: false,
      message: '单据不存在',
    });
    expect((await v1.post('/jdy/sal/sal_order_list', { billNo: 'x' })).body.success).toBe(false);
  });

  it('modifies by id and entry ids: updated, new and removed lines; an entry of another bill is refused', async () => {
    const v1 = await V1Session.open(sandbox);
    const other = (await v1.post('/jdy/sal/sal_order_save', validV1Order(sandbox, 'V1-O'))).body.data
      .successPkIds[0];
    const otherEntry = (await v1.post('/jdy/sal/sal_order_detail', { id: other })).body.data
      .material_entity[0].id;
    const id = (await v1.post('/jdy/sal/sal_order_save', validV1Order(sandbox, 'V1-2'))).body.data
      .successPkIds[0];
    const entry = (await v1.post('/jdy/sal/sal_order_detail', { id })).body.data.material_entity[0]
      .id as string;
    const order = validV1Order(sandbox, 'V1-2', '5');
    const line = order.material_entity[0];
    const modified = await v1.post('/jdy/sal/sal_order_save', {
      ...order,
      id,
      material_entity: [
        { ...line, id: entry },
        { ...line, qty: '1' },
      ],
    });
    expect(modified.body.data.successPkIds).toEqual([id]);
    const lines = (await v1.post('/jdy/sal/sal_order_detail', { id })).body.data.material_entity as Loose[];
    expect(lines.map((l) => [l.id === entry, l.qty])).toEqual([
      [true, '5'],
      [false, '1'],
    ]);
    const foreign = await v1.post('/jdy/sal/sal_order_save', {
      ...order,
      id,
      material_entity: [{ ...line, id: otherEntry }],
    });
    expect(foreign.body.data.success).toBe(false);
    expect(foreign.body.data.errorInfo[0].msg).toContain('不是本单据的分录');
  });

  it('expired token → 519 4011, then a new login works; expire-tokens does it at once', async () => {
    const v1 = await V1Session.open(sandbox);
    expect((await v1.post('/jdy/basedata/customer_list', { search: 'CUST-JD001' })).status).toBe(200);
    offsetMs = 61_000;
    const expired = await v1.post('/jdy/basedata/customer_list', { search: 'CUST-JD001' });
    expect([expired.status, expired.body.code, expired.body.description_cn]).toEqual([
      519,
      4011,
      'access_token 已过期',
    ]);
    const again = await V1Session.open(sandbox);
    const rows = (await again.post('/jdy/basedata/customer_list', { search: 'CUST-JD001' })).body.data.rows;
    expect(rows).toEqual([
      { id: expect.any(String), number: 'CUST-JD001', name: '京东平台客户', enable: '1' },
    ]);
    await admin(sandbox, 'POST', '/__sandbox/expire-tokens');
    expect((await again.post('/jdy/basedata/customer_list', {})).body.code).toBe(4011);
    const forged = await http(
      sandbox,
      'POST',
      `/jdy/basedata/customer_list${qs({ access_token: 'forged' })}`,
      { body: {} },
    );
    expect(forged.body.code).toBe(4010);
  });

  it('several account sets: each its own orders; a wrong accountId or groupName → 519 4012', async () => {
    const first = await V1Session.open(sandbox);
    const second = await V1Session.open(sandbox, '2000000002');
    await second.post('/jdy/sal/sal_order_save', validV1Order(sandbox, 'V1-S'));
    expect(sandbox.orders('2000000002').map((o) => o.billno)).toEqual(['V1-S']);
    expect(sandbox.orders()).toEqual([]);
    expect((await first.post('/jdy/sal/sal_order_list', {})).body.data.count).toBe(0);
    const wrong = await first.post('/jdy/sal/sal_order_list', {}, { accountId: '9999' });
    expect([wrong.status, wrong.body.code]).toEqual([519, 4012]);
    const mismatch = await first.post('/jdy/sal/sal_order_list', {}, { groupName: 'second-group' });
    expect(mismatch.body.code).toBe(4012);
    const orders = await admin(sandbox, 'GET', '/__sandbox/orders?accountId=2000000002');
    expect(orders.body.orders).toHaveLength(1);
  });

  it('refuses the modification of an audited bill', async () => {
    const v1 = await V1Session.open(sandbox);
    const id = (await v1.post('/jdy/sal/sal_order_save', validV1Order(sandbox, 'V1-A'))).body.data
      .successPkIds[0];
    expect((await admin(sandbox, 'POST', `/__sandbox/orders/${id}/audit`)).body).toMatchObject({
      id,
      audited: true,
    });
    const refused = await v1.post('/jdy/sal/sal_order_save', { ...validV1Order(sandbox, 'V1-A', '3'), id });
    expect(refused.body.data).toMatchObject({ success: false, errorInfo: [{ msg: '单据已审核，不能修改' }] });
    expect((await v1.post('/jdy/sal/sal_order_detail', { billno: 'V1-A' })).body.data.billstatus).toBe('C');
  });

  it('serves material units by detail and a non-JSON body is an outer failure', async () => {
    const v1 = await V1Session.open(sandbox);
    const sku = sandbox.state.materials.get('SKU-001')!;
    const detail = await v1.post('/jdy/basedata/material_detail', { number: 'SKU-001' });
    expect(detail.body.data).toMatchObject({
      id: sku.id,
      baseunitid_id: sku.baseUnit.id,
      ismulti_unit: true,
      fixunit1_id: sku.extraUnits[0].id,
    });
    const broken = await v1.post('/jdy/sal/sal_order_save', '{not json');
    expect(broken.body).toMatchObject({ success: false, errorCode: '2001' });
    const getCall = await http(sandbox, 'GET', `/jdy/sal/sal_order_list${qs({ access_token: v1.token })}`);
    expect(getCall.body.code).toBe(5002);
  });
});
