import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XingchenAmbiguousError } from '@app/xingchen-client';
import {
  createXingchenSandbox,
  type XingchenSandbox,
} from '../../../apps/xingchen-sandbox/src/xingchen-sandbox';
import { clientFor, validOrder } from './sandbox-harness';

/** The /__sandbox/* interface tests and demos drive the sandbox with. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

describe('xingchen sandbox: admin interface and faults', () => {
  let sandbox: XingchenSandbox;

  beforeEach(async () => {
    sandbox = createXingchenSandbox({ faults: { rateLimitPerMinute: 0 } });
    await sandbox.listen(0);
  });
  afterEach(() => sandbox.close());

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Loose };
  };

  it('lists stored orders with their body, times and modifications, and counts calls by route and outcome', async () => {
    const client = clientFor(sandbox);
    const { id } = await client.saveSalesOrder(validOrder(sandbox, 'A-1'));
    await client.saveSalesOrder({ ...validOrder(sandbox, 'A-1', '3'), id });
    await client.saveSalesOrder(validOrder(sandbox, 'A-1')).catch(() => undefined);
    await client.findMaterial('SKU-404');
    client.close();
    const orders = await admin('GET', '/__sandbox/orders');
    expect(orders.body.orders).toEqual([
      {
        id,
        billno: 'A-1',
        body: { ...validOrder(sandbox, 'A-1', '3') },
        createdAt: expect.any(String),
        modifiedAt: expect.any(String),
        modifications: 1,
        audited: false,
      },
    ]);
    const stats = await admin('GET', '/__sandbox/stats');
    expect(stats.body.calls).toEqual({
      token: { ok: 1 },
      sal_order_save: { ok: 2, errcode_2006: 1 },
      material_detail: { errcode_1001: 1 },
    });
    expect(stats.body).toMatchObject({ tokensIssued: 1, ordersCreated: 1, ordersModified: 1, throttled: 0 });
  });

  it('marks an order audited', async () => {
    const client = clientFor(sandbox);
    const { id } = await client.saveSalesOrder(validOrder(sandbox, 'A-2'));
    client.close();
    expect(await admin('POST', `/__sandbox/orders/${id}/audit`)).toMatchObject({
      status: 200,
      body: { id, audited: true },
    });
    expect((await admin('POST', '/__sandbox/orders/404/audit')).status).toBe(404);
  });

  it('sets faults and rejects bad values', async () => {
    const set = await admin('POST', '/__sandbox/faults', {
      latencyMs: 5,
      errorRate: 0.5,
      saveLatencyMs: [100, 300],
      tokenTtlSeconds: 3,
    });
    expect(set.body).toMatchObject({
      latencyMs: 5,
      errorRate: 0.5,
      saveLatencyMs: { min: 100, max: 300 },
      tokenTtlSeconds: 3,
    });
    expect((await admin('POST', '/__sandbox/faults', { errorRate: 2 })).status).toBe(400);
    expect((await admin('GET', '/__sandbox/faults')).body.errorRate).toBe(0.5);
  });

  it('timeoutAfterApplyRate stores the order and never answers: the client sees an ambiguous outcome', async () => {
    sandbox.setFaults({ timeoutAfterApplyRate: 1 });
    const client = clientFor(sandbox, { requestTimeoutMs: 300 });
    const error = await client.saveSalesOrder(validOrder(sandbox, 'A-3')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XingchenAmbiguousError);
    sandbox.setFaults({ timeoutAfterApplyRate: 0 });
    await expect(client.findSalesOrderByBillNo('A-3')).resolves.toEqual({
      id: expect.any(String),
      billno: 'A-3',
    });
    client.close();
    expect(sandbox.stats().calls.sal_order_save).toEqual({ applied_no_answer: 1 });
  });

  it('errorRate answers 519/5003 without applying; errorAfterApplyRate applies and answers 519/5000', async () => {
    const client = clientFor(sandbox);
    sandbox.setFaults({ errorRate: 1 });
    await expect(client.saveSalesOrder(validOrder(sandbox, 'A-4'))).rejects.toMatchObject({
      reason: 'api_unavailable',
    });
    expect(sandbox.orders()).toHaveLength(0);
    sandbox.setFaults({ errorRate: 0, errorAfterApplyRate: 1 });
    await expect(client.saveSalesOrder(validOrder(sandbox, 'A-4'))).rejects.toMatchObject({
      reason: 'gateway_internal_error',
    });
    expect(sandbox.orders().map((o) => o.billno)).toEqual(['A-4']);
    client.close();
  });

  it('answers with the legacy envelope on request', async () => {
    sandbox.setFaults({ legacyEnvelope: true });
    const client = clientFor(sandbox);
    const { id } = await client.saveSalesOrder(validOrder(sandbox, 'A-5'));
    expect(id).toBe(sandbox.orders()[0].id);
    client.close();
  });

  it('removes and re-adds master data (a new id: the old one is gone)', async () => {
    const client = clientFor(sandbox);
    const before = await client.findMaterial('SKU-001');
    const withOldIds = validOrder(sandbox, 'A-6');
    expect((await admin('DELETE', '/__sandbox/master-data/materials/SKU-001')).body).toEqual({
      removed: true,
    });
    await expect(client.findMaterial('SKU-001')).resolves.toBeNull();
    await expect(client.saveSalesOrder(withOldIds)).rejects.toMatchObject({ code: '2003' });
    await admin('POST', '/__sandbox/master-data', {
      materials: [{ number: 'SKU-001', name: '保温杯', unit: '个' }],
    });
    const after = await client.findMaterial('SKU-001');
    expect(after?.id).not.toBe(before?.id);
    expect(after?.unitIds).toEqual([before?.baseUnitId]);
    client.close();
  });

  it('loads master data from a fixture file and generates the catalog otherwise', async () => {
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
