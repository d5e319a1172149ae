import { Registry } from 'prom-client';
import { createMetrics } from '@app/observability';
import { XingchenClient, type SalesOrderBody, type XingchenClientConfig } from '@app/xingchen-client';
import { type XingchenSandbox } from '../../../apps/xingchen-sandbox/src/xingchen-sandbox';

/** A client for a running sandbox (its credentials unless overridden). */
export function clientFor(
  sandbox: XingchenSandbox,
  overrides: Partial<XingchenClientConfig> = {},
): XingchenClient {
  return new XingchenClient(
    {
      baseUrl: sandbox.url,
      ...sandbox.credentials,
      rateLimitPerMinute: sandbox.faults().rateLimitPerMinute || 60_000,
      maxConcurrency: 8,
      requestTimeoutMs: 2000,
      tokenRefreshMarginMs: 60_000,
      ...overrides,
    },
    createMetrics(new Registry()),
  );
}

/** A valid order body built from the sandbox's master data (first customer, material, store). */
export function validOrder(sandbox: XingchenSandbox, billno: string, qty = '2'): SalesOrderBody {
  const customer = sandbox.state.customers.get('CUST-TM001')!;
  const material = sandbox.state.materials.get('SKU-001')!;
  const store = sandbox.state.stores.get('WH-SH01')!;
  return {
    billno,
    billdate: '2024-03-01',
    customerid_id: customer.id,
    custom_field42obgp309axx5_number: 'TM001',
    material_entity: [
      {
        materialid_id: material.id,
        stockid_id: store.id,
        qty,
        unit_id: material.baseUnit.id,
        taxprice: '59.9000',
        is_free: false,
        cess: '13',
      },
    ],
  };
}
