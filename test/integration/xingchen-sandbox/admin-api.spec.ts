import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@app/testing';
import { createXingchenSandbox, type XingchenSandbox } from '../../../apps/xingchen-sandbox/src';
import { admin, startSandbox, v2Call, v2Token, validV1Order, V1Session } from './sandbox-harness';

/** The /__sandbox/* interface tests and demos drive the sandbox with. */
describe('xingchen sandbox: admin interface and faults', () => {
  let sandbox: XingchenSandbox;
  let v1: V1Session;

  beforeEach(async () => {
    sandbox = await startSandbox();
    v1 = await V1Session.open(sandbox);
  });
  afterEach(() => sandbox.close());

  it('lists stored orders with family, body, entries, times and modifications, and counts calls by route and outcome', async () => {
    const id = (await v1.post('/jdy/sal/sal_order_save', validV1Order(sandbox, 'A-1'))).body.data
      .successPkIds[0];
    await v1.post('/jdy/sal/sal_order_save', { ...validV1Order(sandbox, 'A-1', '3'), id });
    await v1.post('/jdy/sal/sal_order_save', validV1Order(sandbox, 'A-1'));
    const token = await v2Token(sandbox);
    await v2Call(sandbox, token, 'GET', '/jdy/v2/bd/material_detail', { query: { number: 'SKU-404' } });
    const orders = await admin(sandbox, 'GET', '/__sandbox/orders');
    expect(orders.body.orders).toEqual([
      {
        id,
        billno: 'A-1',
        family: 'v1',
        body: validV1Order(sandbox, 'A-1', '3'),
        bodyFamily: 'v1',
        entries: [
          expect.objectContaining({ id: expect.any(String), materialid_number: 'SKU-001', qty: '3' }),
        ],
        createdAt: expect.any(String),
        modifiedAt: expect.any(String),
        modifications: 1,
        audited: false,
      },
    ]);
    const stats = await admin(sandbox, 'GET', '/__sandbox/stats');
    expect(stats.body.calls).toEqual({
      'v1.login': { ok: 1 },
      'v1.account_group': { ok: 1 },
      'v1.sal_order_save': { ok: 2, errcode_2006: 1 },
      'v2.token': { ok: 1 },
      'v2.material_detail': { errcode_1001: 1 },
    });
    expect(stats.body).toMatchObject({
      loginsIssued: 1,
      tokensIssued: 1,
      ordersCreated: 1,
      ordersModified: 1,
      throttled: 0,
    });
  });

  it('marks an order audited', async () => {
    const id = (await v1.post('/jdy/sal/sal_order_save', validV1Order(sandbox, 'A-2'))).body.data
      .successPkIds[0];
    expect(await admin(sandbox, 'POST', `/__sandbox/orders/${id}/audit`)).toMatchObject({
      status: 200,
      body: { id, audited: true },
    });
    expect((await admin(sandbox, 'POST', '/__sandbox/orders/404/audit')).status).toBe(404);
  });

  it('sets faults and rejects bad values', async () => {
    const set = await admin(sandbox, 'POST', '/__sandbox/faults', {
      latencyMs: 5,
      errorRate: 0.5,
      saveLatencyMs: [100, 300],
      tokenTtlSeconds: 3,
      v1TokenTtlSeconds: 30,
    });
    expect(set.body).toMatchObject({
      latencyMs: 5,
      errorRate: 0.5,
      saveLatencyMs: { min: 100, max: 300 },
      tokenTtlSeconds: 3,
      v1TokenTtlSeconds: 30,
    });
    expect((await admin(sandbox, 'POST', '/__sandbox/faults', { errorRate: 2 })).status).toBe(400);
    expect((await admin(sandbox, 'POST', '/__sandbox/faults', { legacyEnvelope: true })).status).toBe(400);
    expect((await admin(sandbox, 'GET', '/__sandbox/faults')).body.errorRate).toBe(0.5);
  });

  it('timeoutAfterApplyRate stores the order and never answers', async () => {
    sandbox.setFaults({ timeoutAfterApplyRate: 1 });
    const answer = v1.post('/jdy/sal/sal_order_save', validV1Order(sandbox, 'A-3'));
    // wait for the sandbox to apply the save (not a fixed time: a loaded machine may not have read
    // the request yet), then give it 300 ms to answer: it never does
    await waitFor(() => sandbox.stats().calls['v1.sal_order_save']?.applied_no_answer === 1, {
      description: 'the save applied',
    });
    const noAnswer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 300));
    expect(await Promise.race([answer, noAnswer])).toBe('timeout');
    sandbox.setFaults({ timeoutAfterApplyRate: 0 });
    const rows = (await v1.post('/jdy/sal/sal_order_list', { billno: 'A-3' })).body.data.rows;
    expect(rows).toEqual([expect.objectContaining({ billno: 'A-3' })]);
    expect(sandbox.stats().calls['v1.sal_order_save']).toEqual({ applied_no_answer: 1 });
  });

  it('errorRate answers 519/5003 without applying; errorAfterApplyRate applies and answers 519/5000', async () => {
    sandbox.setFaults({ errorRate: 1 });
    const before = await v1.post('/jdy/sal/sal_order_save', validV1Order(sandbox, 'A-4'));
    expect([before.status, before.body.code]).toEqual([519, 5003]);
    expect(sandbox.orders()).toHaveLength(0);
    sandbox.setFaults({ errorRate: 0, errorAfterApplyRate: 1 });
    const after = await v1.post('/jdy/sal/sal_order_save', validV1Order(sandbox, 'A-4'));
    expect([after.status, after.body.code]).toEqual([519, 5000]);
    expect(sandbox.orders().map((o) => o.billno)).toEqual(['A-4']);
  });

  it('removes and re-adds master data (a new id: the old one is gone)', async () => {
    const find = async () =>
      (await v1.post('/jdy/basedata/material_list', { search: 'SKU-001', showunits: true })).body.data
        .rows as Array<{
        id: string;
        baseunitid_id: string;
      }>;
    const [before] = await find();
    const withOldIds = validV1Order(sandbox, 'A-6');
    expect((await admin(sandbox, 'DELETE', '/__sandbox/master-data/materials/SKU-001')).body).toEqual({
      removed: true,
    });
    expect(await find()).toEqual([]);
    const refused = await v1.post('/jdy/sal/sal_order_save', withOldIds);
    expect(refused.body.data.errorInfo[0].msg).toContain('商品不存在');
    await admin(sandbox, 'POST', '/__sandbox/master-data', {
      materials: [{ number: 'SKU-001', name: '保温杯', unit: '个' }],
    });
    const [after] = await find();
    expect(after.id).not.toBe(before.id);
    expect(after.baseunitid_id).toBe(before.baseunitid_id);
  });

  it('loads master data from a fixture file and generates the catalog otherwise', () => {
    expect(sandbox.state.customers.get('CUST-PDD01')?.name).toBe('拼多多平台客户');
    expect(sandbox.state.stores.size).toBe(3);
    expect(sandbox.state.materials.size).toBe(20);
    const dir = mkdtempSync(join(tmpdir(), 'xc-fixture-'));
    const file = join(dir, 'fixture.json');
    writeFileSync(
      file,
      JSON.stringify({
        customers: [{ number: 'C-1', name: '客户一' }],
        materials: [{ number: 'M-1', name: '物料一', unit: '千克' }],
        stores: [{ number: 'S-1', name: '仓一' }],
      }),
    );
    const fromFile = createXingchenSandbox({ fixture: file });
    expect([...fromFile.state.customers.keys()]).toEqual(['C-1']);
    expect(fromFile.state.materials.get('M-1')?.baseUnit.name).toBe('千克');
    expect([...fromFile.state.stores.keys()]).toEqual(['S-1']);
    writeFileSync(file, JSON.stringify({ customers: [{ number: 'C-1' }] }));
    expect(() => createXingchenSandbox({ fixture: file })).toThrow(
      'customers[0].name must be a non-empty string',
    );
  });
});
