/* eslint-disable @typescript-eslint/no-unsafe-return -- answers are untyped JSON (Loose) */
import { type XingchenSandbox } from '../../../apps/xingchen-sandbox/src';
import {
  admin,
  pushAppAuthorize,
  startSandbox,
  v2Call,
  v2Token,
  v2TokenRequest,
  validV2Order,
  V1Session,
  type Loose,
} from './sandbox-harness';

/** V2 (open platform): save/list/detail in V2 names, modify semantics, audit, authorisation and secret rotation. */
describe('xingchen sandbox: V2 family', () => {
  let sandbox: XingchenSandbox;
  let token: string;
  let offsetMs = 0;

  beforeEach(async () => {
    offsetMs = 0;
    sandbox = await startSandbox({ now: () => Date.now() + offsetMs, secretRotationSeconds: 3600 });
    token = await v2Token(sandbox);
  });
  afterEach(() => sandbox.close());

  const save = (body: Loose) => v2Call(sandbox, token, 'POST', '/jdy/v2/scm/sal_order', { body });
  const detail = async (id: string) =>
    (await v2Call(sandbox, token, 'GET', '/jdy/v2/scm/sal_order_detail', { query: { id } })).body
      .data as Loose;
  const create = async (billNo: string, lines = 1) => {
    const order = validV2Order(sandbox, billNo);
    const line = order.material_entity[0];
    const answer = await save({
      ...order,
      material_entity: Array.from({ length: lines }, (_, i) => ({ ...line, qty: String(i + 1) })),
    });
    expect(answer.body).toMatchObject({ errcode: 0, data: { ids: [expect.any(String)] } });
    const id = answer.body.data.ids[0] as string;
    expect(answer.body.data.id_number_map).toEqual({ [id]: billNo });
    return { id, order, line, entries: (await detail(id)).material_entity as Loose[] };
  };

  it('saves with V2 names and answers list and detail with V2 names and bill_status', async () => {
    const { id } = await create('V2-1');
    const list = await v2Call(sandbox, token, 'GET', '/jdy/v2/scm/sal_order', { query: { bill_no: 'V2-1' } });
    expect(list.body.data).toMatchObject({ count: 1, total_page: 1, page: 1 });
    expect(list.body.data.rows).toEqual([
      expect.objectContaining({
        id,
        bill_no: 'V2-1',
        bill_status: 'Z',
        customer_number: 'CUST-TM001',
        total_amount: '59.90',
      }),
    ]);
    expect(await detail(id)).toMatchObject({
      bill_no: 'V2-1',
      custom_field: { custom_field42obgp309axx5: 'TM001' },
    });
    const missing = await v2Call(sandbox, token, 'GET', '/jdy/v2/scm/sal_order_detail', {
      query: { id: '404' },
    });
    expect(missing.body.errcode).toBe(1001);
    const [stored] = sandbox.orders();
    expect(stored).toMatchObject({ id, billno: 'V2-1', family: 'v2', modifications: 0, audited: false });
    const sent = validV2Order(sandbox, 'V2-1');
    expect(stored.body).toEqual({ ...sent, material_entity: [{ ...sent.material_entity[0], qty: '1' }] });
    expect(stored.entries).toEqual([
      expect.objectContaining({ id: expect.any(String), material_id: expect.any(String) }),
    ]);
  });

  it('modify with every entry id leaves exactly the sent lines (entries not sent are removed)', async () => {
    const { id, order, entries } = await create('V2-2', 3);
    const lines = [entries[2], entries[0]].map((e, i) => ({
      ...order.material_entity[0],
      id: e.id,
      qty: `${10 + i}`,
    }));
    expect((await save({ ...order, id, material_entity: lines })).body.errcode).toBe(0);
    const after = (await detail(id)).material_entity as Loose[];
    expect(after.map((e) => [e.id, e.qty])).toEqual([
      [entries[2].id, '10'],
      [entries[0].id, '11'],
    ]);
  });

  it('modify without entry ids replaces every line; mixed ids are refused', async () => {
    const { id, order, line, entries } = await create('V2-3', 2);
    expect((await save({ ...order, id, material_entity: [{ ...line, qty: '7' }] })).body.errcode).toBe(0);
    const after = (await detail(id)).material_entity as Loose[];
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ qty: '7' });
    expect(entries.map((e) => e.id)).not.toContain(after[0].id);
    const mixed = await save({ ...order, id, material_entity: [{ ...line, id: after[0].id }, line] });
    expect(mixed.body.errcode).not.toBe(0);
    expect(mixed.body.description).toContain('不能混用');
    expect(sandbox.orders()[0].modifications).toBe(1);
  });

  it('refuses a modification of an audited bill in both families', async () => {
    const { id, order } = await create('V2-4');
    await admin(sandbox, 'POST', `/__sandbox/orders/${id}/audit`);
    expect(await detail(id)).toMatchObject({ bill_status: 'C' });
    const v2 = await save({ ...order, id, remark: 'changed' });
    expect(v2.body).toMatchObject({ errcode: 2008, description: '单据已审核，不能修改' });
    const v1 = await V1Session.open(sandbox);
    const material = sandbox.state.materials.get('SKU-001')!;
    const v1Answer = await v1.post('/jdy/sal/sal_order_save', {
      id,
      billno: 'V2-4',
      billdate: '2024-03-01',
      customerid_id: order.customer_id,
      material_entity: [
        {
          materialid_id: material.id,
          stockid_id: order.material_entity[0].stock_id,
          qty: '1',
          unit_id: material.baseUnit.id,
          taxprice: '1',
          is_free: false,
          cess: '13',
        },
      ],
    });
    expect(v1Answer.body.data).toMatchObject({
      success: false,
      errorInfo: [{ msg: '单据已审核，不能修改' }],
    });
    expect(sandbox.orders()[0].modifications).toBe(0);
  });

  it('push_app_authorize returns the account set credentials (AsterAuthorizeRes[]), empty for another id', async () => {
    const answer = await pushAppAuthorize(sandbox);
    const { v1, v2 } = sandbox.credentials;
    expect(answer.body).toEqual({
      errcode: 0,
      description: '',
      data: [
        expect.objectContaining({
          app_key: v2.appKey,
          app_secret: v2.appSecret,
          domain: v2.domain,
          outer_instance_id: v2.outerInstanceId,
          account_id: v1.accountId,
          group_name: v1.groupName,
          status: 1,
        }),
      ],
    });
    expect((await pushAppAuthorize(sandbox, 'someone-else')).body.data).toEqual([]);
    expect(sandbox.stats().authorizationsIssued).toBe(1);
  });

  it('secret rotation: 1030002006 with the old secret, OK with the one a new push_app_authorize gives', async () => {
    await sandbox.close();
    // The sandbox's clock, not the wall clock: the secret rotates exactly when the test says, never
    // while a slow machine is still fetching the first token or pushing the authorization again.
    let clockMs = Date.now();
    sandbox = await startSandbox({ now: () => clockMs, secretRotationSeconds: 1 });
    token = await v2Token(sandbox);
    const old = sandbox.credentials.v2.appSecret;
    clockMs += 1000; // one rotation period
    expect(sandbox.credentials.v2.appSecret).not.toBe(old);
    expect((await v2TokenRequest(sandbox, old)).body).toEqual({
      errcode: 1030002006,
      description: '授权密钥校验失败',
    });
    // tokens issued before stay valid until they expire
    const stillValid = await v2Call(sandbox, token, 'GET', '/jdy/v2/bd/customer_detail', {
      query: { number: 'CUST-JD001' },
    });
    expect(stillValid.body.errcode).toBe(0);
    const fresh = (await pushAppAuthorize(sandbox)).body.data[0].app_secret as string;
    expect((await v2TokenRequest(sandbox, fresh)).body.errcode).toBe(0);
    const rotated = await admin(sandbox, 'POST', '/__sandbox/rotate-secret');
    expect(rotated.body.appSecret).not.toBe(fresh);
    expect((await v2TokenRequest(sandbox, fresh)).body.errcode).toBe(1030002006);
  });

  it('serves the master-data lists and details, and expire-tokens makes app-tokens 4011', async () => {
    const list = await v2Call(sandbox, token, 'GET', '/jdy/v2/bd/material', {
      query: { search: 'SKU-00', page: '1', page_size: '5' },
    });
    expect(list.body.data).toMatchObject({ count: 9, total_page: 2, page: 1, page_size: 5 });
    const store = await v2Call(sandbox, token, 'GET', '/jdy/v2/bd/store', { query: { search: 'WH-GZ01' } });
    expect(store.body.data.rows).toEqual([
      { id: expect.any(String), number: 'WH-GZ01', name: '广州分仓', enable: '1' },
    ]);
    const material = await v2Call(sandbox, token, 'GET', '/jdy/v2/bd/material_detail', {
      query: { number: 'SKU-001' },
    });
    expect(material.body.data).toMatchObject({
      base_unit_id: expect.any(String),
      fix_unit_id1: expect.any(String),
    });
    await admin(sandbox, 'POST', '/__sandbox/expire-tokens');
    const expired = await v2Call(sandbox, token, 'GET', '/jdy/v2/bd/store', {});
    expect([expired.status, expired.body.code]).toEqual([519, 4011]);
  });
});
