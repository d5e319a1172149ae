import { randomBytes } from 'node:crypto';
import { appSignature, gatewayHeaders } from '@app/xingchen-client';
import {
  createXingchenSandbox,
  type XingchenSandbox,
  type XingchenSandboxOptions,
} from '../../../apps/xingchen-sandbox/src';

/** Raw-HTTP helpers for the sandbox specs: a V1 login/session and a V2 signer (no XingchenClient). */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = Record<string, any>;
export interface Answer {
  status: number;
  headers: Headers;
  body: Loose;
}

export async function startSandbox(options: XingchenSandboxOptions = {}): Promise<XingchenSandbox> {
  const sandbox = createXingchenSandbox({
    faults: { rateLimitPerMinute: 0, tokenRateLimitPerMinute: 0 },
    ...options,
  });
  await sandbox.listen(0);
  return sandbox;
}

export async function http(
  sandbox: XingchenSandbox,
  method: string,
  pathAndQuery: string,
  { headers = {}, body }: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const response = await fetch(`${sandbox.url}${pathAndQuery}`, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Loose };
}

export const qs = (query: Record<string, string>): string => {
  const text = new URLSearchParams(query).toString();
  return text ? `?${text}` : '';
};

// ---------------------------------------------------------------- V1

export async function v1Login(
  sandbox: XingchenSandbox,
  overrides: Record<string, string> = {},
): Promise<Answer> {
  const { clientId, clientSecret, username, password } = sandbox.credentials.v1;
  const query = { client_id: clientId, client_secret: clientSecret, username, password, ...overrides };
  return http(sandbox, 'GET', `/auth/user/access_token${qs(query)}`);
}

/** A logged-in V1 caller bound to one account set. */
export class V1Session {
  constructor(
    private readonly sandbox: XingchenSandbox,
    public token: string,
    public accountId: string,
    public groupName: string,
  ) {}

  static async open(
    sandbox: XingchenSandbox,
    accountId = sandbox.credentials.v1.accountId,
  ): Promise<V1Session> {
    const login = await v1Login(sandbox);
    if (login.body.errcode !== 0) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
    const token = login.body.data.access_token as string;
    const groups = await http(sandbox, 'POST', `/jdy/sys/accountGroup${qs({ access_token: token })}`);
    const sets = (groups.body.data as Loose[]).flatMap((service) => service.accountGroups as Loose[]);
    const chosen = sets.find((s) => s.accountId === accountId);
    if (!chosen) throw new Error(`no account set ${accountId}`);
    return new V1Session(sandbox, token, chosen.accountId as string, chosen.groupName as string);
  }

  post(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<Answer> {
    return http(this.sandbox, 'POST', `${path}${qs({ access_token: this.token })}`, {
      headers: { accountId: this.accountId, groupName: this.groupName, ...headers },
      body,
    });
  }
}

/** A valid V1 `sal_order_save` body from the sandbox's master data (CUST-TM001, SKU-001, WH-SH01). */
export function validV1Order(sandbox: XingchenSandbox, billno: string, qty = '2'): Loose {
  const material = sandbox.state.materials.get('SKU-001')!;
  return {
    billno,
    billdate: '2024-03-01',
    customerid_id: sandbox.state.customers.get('CUST-TM001')!.id,
    custom_field42obgp309axx5_number: 'TM001',
    material_entity: [
      {
        materialid_id: material.id,
        stockid_id: sandbox.state.stores.get('WH-SH01')!.id,
        qty,
        unit_id: material.baseUnit.id,
        taxprice: '59.9000',
        is_free: false,
        cess: '13',
      },
    ],
  };
}

// ---------------------------------------------------------------- V2

/** The six signed gateway headers (the client's stable signer). */
export function signed(
  sandbox: XingchenSandbox,
  method: string,
  path: string,
  query: Record<string, string> = {},
  clientSecret = sandbox.credentials.v2.clientSecret,
): Record<string, string> {
  const input = {
    method,
    path,
    query,
    nonce: randomBytes(5).readUInt32BE().toString(),
    timestamp: String(Date.now()),
  };
  return gatewayHeaders(input, { clientId: sandbox.credentials.v2.clientId, clientSecret });
}

export async function v2TokenRequest(sandbox: XingchenSandbox, appSecret = sandbox.credentials.v2.appSecret) {
  const path = '/jdyconnector/app_management/kingdee_auth_token';
  const { appKey } = sandbox.credentials.v2;
  const query = { app_key: appKey, app_signature: appSignature(appKey, appSecret) };
  return http(sandbox, 'GET', `${path}${qs(query)}`, { headers: signed(sandbox, 'GET', path, query) });
}

export async function v2Token(sandbox: XingchenSandbox, appSecret?: string): Promise<string> {
  const answer = await v2TokenRequest(sandbox, appSecret);
  if (answer.body.errcode !== 0) throw new Error(`token failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data['app-token'] as string;
}

export async function pushAppAuthorize(
  sandbox: XingchenSandbox,
  outerInstanceId = sandbox.credentials.v2.outerInstanceId,
) {
  const path = '/jdyconnector/app_management/push_app_authorize';
  const query = { outerInstanceId };
  return http(sandbox, 'POST', `${path}${qs(query)}`, { headers: signed(sandbox, 'POST', path, query) });
}

/** A V2 business call: signed + app-token + X-GW-Router-Addr. */
export function v2Call(
  sandbox: XingchenSandbox,
  token: string,
  method: string,
  path: string,
  {
    query = {},
    body,
    headers = {},
  }: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return http(sandbox, method, `${path}${qs(query)}`, {
    headers: {
      ...signed(sandbox, method, path, query),
      'app-token': token,
      'X-GW-Router-Addr': sandbox.credentials.v2.domain,
      ...headers,
    },
    body,
  });
}

/** A valid V2 `POST /jdy/v2/scm/sal_order` body (SalOrderSaveReq names). */
export function validV2Order(sandbox: XingchenSandbox, billNo: string, qty = '2'): Loose {
  const material = sandbox.state.materials.get('SKU-001')!;
  return {
    bill_no: billNo,
    bill_date: '2024-03-01',
    customer_id: sandbox.state.customers.get('CUST-TM001')!.id,
    custom_field: { custom_field42obgp309axx5: 'TM001' },
    material_entity: [
      {
        material_id: material.id,
        stock_id: sandbox.state.stores.get('WH-SH01')!.id,
        qty,
        unit_id: material.baseUnit.id,
        tax_price: '59.9000',
        cess: '13',
        is_free: false,
      },
    ],
  };
}

export const admin = (sandbox: XingchenSandbox, method: string, path: string, body?: unknown) =>
  http(sandbox, method, path, { body });
