import { FatalError } from '@app/contracts';
import { type FamilyWire, type Reading, type WireCall, type XingchenCore } from '../core';
import { asRecord, bool, enabled, firstText, records, str, type Json } from '../json';
import {
  type SalesOrderDraft,
  type XingchenSalesOrder,
  type XingchenSalesOrderLine,
  type XingchenSalesOrderSummary,
} from '../sales-order';
import { TokenManager, type IssuedToken } from '../token-manager';
import { XingchenAmbiguousError, type XingchenOperation } from '../xingchen-errors';
import { type QueryParams } from '../xingchen-signer';
import {
  type SaveResult,
  type XingchenCustomer,
  type XingchenMaterial,
  type XingchenStore,
  type XingchenV1Config,
} from '../xingchen.types';
import {
  absentWhenRefused,
  auditedFrom,
  exactBill,
  readSalesOrderPage,
  type SalesOrderPage,
  type XingchenFamilyClient,
} from './family';

/**
 * V1: the 精斗云/星辰 legacy API, as Kingdee's Tea Python SDK speaks it (kernel `KingdeejdyKernel`,
 * `KingdeejdyAuth`, `KingdeejdyScm`, `KingdeejdyBasedata`; see /work/notes/xingchen-v1-facts.md and
 * docs/xingchen.md for the source of each path and field).
 */
export const V1Paths = {
  /** SDK `KingdeejdyAuth.get_token`: GET with client_id, client_secret, username, password. */
  login: '/auth/user/access_token',
  /** SDK `KingdeejdyAuth.get_account`: POST ?access_token=, no body. */
  accountGroup: '/jdy/sys/accountGroup',
  /** SDK `KingdeejdyScm.save_order` "新增或者修改一张销售订单". */
  salOrderSave: '/jdy/sal/sal_order_save',
  /** SDK `get_order_list`. */
  salOrderList: '/jdy/sal/sal_order_list',
  /** SDK `get_order_detail`. */
  salOrderDetail: '/jdy/sal/sal_order_detail',
  /** SDK basedata `get_customer_list`, `get_stock_list`, `get_material_list`, `get_material_detail`. */
  customerList: '/jdy/basedata/customer_list',
  storeList: '/jdy/basedata/store_list',
  materialList: '/jdy/basedata/material_list',
  materialDetail: '/jdy/basedata/material_detail',
} as const;

/** Header custom fields of the V1 save are top-level keys (wire decision). */
export const V1_CUSTOM_FIELD_KEY = /^custom_field[0-9a-z]+(_number|_id|_name)?$/;
/** Rows per look-up page (wire decision: the sandbox serves at most 100). */
const LOOKUP_PAGE_SIZE = 100;
/** Assumed lifetime of an access token whose answer carries none (wire decision). */
const DEFAULT_LIFETIME_MS = 2 * 3600_000;

/** The flat body of `POST /jdy/sal/sal_order_save`: numbers as strings, custom fields as top-level keys. */
export function v1SaveBody(draft: SalesOrderDraft): Json {
  const body: Json = {};
  if (draft.id) body.id = draft.id;
  body.billno = draft.billNo;
  body.billdate = draft.billDate;
  body.customerid_id = draft.customerId;
  if (draft.remark !== undefined) body.remark = draft.remark;
  for (const [key, value] of Object.entries(draft.customFields)) {
    if (!V1_CUSTOM_FIELD_KEY.test(key))
      throw new FatalError(
        `xingchen v1: "${key}" is not a V1 header custom field key (custom_field<id>[_number|_id|_name]); fix the mapping's custom field key`,
        { reason: 'custom_field_key_invalid' },
      );
    body[key] = value;
  }
  body.material_entity = draft.lines.map((line) => ({
    ...(line.entryId ? { id: line.entryId } : {}),
    materialid_id: line.materialId,
    stockid_id: line.storeId,
    qty: line.qty,
    unit_id: line.unitId,
    taxprice: line.taxPrice,
    is_free: line.isFree,
    cess: line.taxPercent,
  }));
  return body;
}

/** The bill id of a successful V1 save answer's `data` (`successPkIds[0]`); undefined when absent. */
export function readV1SaveId(data: unknown): string | undefined {
  const ids = asRecord(data)?.successPkIds;
  return Array.isArray(ids) ? str(ids[0]) : undefined;
}

const v1Status = (data: Json): string =>
  firstText(data.billstatus, data.checkstatus, data.audit_status, data.bill_status) ?? '';

/** A V1 `sal_order_detail` answer's `data` in neutral names; null when it is not a bill. */
export function readV1Detail(data: unknown): XingchenSalesOrder | null {
  const record = asRecord(data);
  const id = str(record?.id);
  if (!record || !id) return null;
  const customFields: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    const text = str(value);
    if (V1_CUSTOM_FIELD_KEY.test(key) && text !== undefined) customFields[key] = text;
  }
  const lines: XingchenSalesOrderLine[] = records(record.material_entity).map((line) => ({
    entryId: str(line.id) ?? '',
    materialId: str(line.materialid_id) ?? '',
    storeId: str(line.stockid_id) ?? '',
    qty: str(line.qty) ?? '0',
    unitId: str(line.unit_id) ?? '',
    taxPrice: str(line.taxprice) ?? '0',
    isFree: bool(line.is_free),
    taxPercent: str(line.cess) ?? '0',
  }));
  const status = v1Status(record);
  const remark = str(record.remark);
  return {
    id,
    billNo: str(record.billno) ?? '',
    billDate: str(record.billdate) ?? '',
    customerId: str(record.customerid_id) ?? '',
    audited: auditedFrom(
      record.billstatus ?? record.checkstatus ?? record.audit_status ?? record.bill_status,
    ),
    status,
    ...(remark !== undefined ? { remark } : {}),
    customFields,
    lines,
  };
}

/** A V1 `sal_order_list` row in neutral names; undefined without id or bill number. */
export function readV1ListRow(row: Json): XingchenSalesOrderSummary | undefined {
  const id = str(row.id);
  const billNo = str(row.billno);
  if (!id || !billNo) return undefined;
  const status = row.billstatus ?? row.checkstatus ?? row.audit_status ?? row.bill_status;
  return { id, billNo, ...(status !== undefined ? { audited: auditedFrom(status) } : {}) };
}

/**
 * When the access token expires (epoch ms): `expires_in` seconds; else `expires` (> 1e12 epoch ms,
 * > 1e9 epoch s, else seconds of lifetime); else 2 h (wire decision; the SDK drops the lifetime).
 */
export function v1ExpiresAt(data: Json, requestedAt: number): number {
  const expiresIn = Number(data.expires_in);
  if (data.expires_in !== undefined && Number.isFinite(expiresIn) && expiresIn > 0)
    return requestedAt + expiresIn * 1000;
  const expires = Number(data.expires);
  if (data.expires !== undefined && Number.isFinite(expires) && expires > 0) {
    if (expires > 1e12) return expires;
    if (expires > 1e9) return expires * 1000;
    return requestedAt + expires * 1000;
  }
  return requestedAt + DEFAULT_LIFETIME_MS;
}

export interface V1AccountSet {
  accountId: string;
  groupName: string;
}

/** Picks the account set from the `/jdy/sys/accountGroup` answer's `data` (every group of every service). */
export function selectAccountGroup(data: unknown, accountId: string | undefined): V1AccountSet {
  const groups = records(data)
    .flatMap((service) => records(service.accountGroups))
    .map((group) => ({ accountId: str(group.accountId), groupName: str(group.groupName) }))
    .filter((group): group is V1AccountSet => group.accountId !== undefined && group.groupName !== undefined);
  const ids = groups.map((group) => group.accountId).join(', ');
  if (accountId) {
    const chosen = groups.find((group) => group.accountId === accountId);
    if (chosen) return chosen;
    throw new FatalError(
      `xingchen account_group: XINGCHEN_ACCOUNT_ID "${accountId}" is not an account set of XINGCHEN_USERNAME (known: ${ids || 'none'})`,
      { reason: 'account_set_unknown' },
    );
  }
  if (groups.length === 1) return groups[0];
  if (groups.length === 0)
    throw new FatalError('xingchen account_group: XINGCHEN_USERNAME has no account set', {
      reason: 'account_set_missing',
    });
  throw new FatalError(
    `xingchen account_group: XINGCHEN_USERNAME has ${groups.length} account sets (${ids}): set XINGCHEN_ACCOUNT_ID to one of them`,
    { reason: 'account_set_ambiguous' },
  );
}

/** The V1 envelope: login `{errcode, data}`; business `{success, errorCode, message, data}` with a second level in `data.success`. */
export function readV1Envelope(body: Json): Reading {
  if (body.success === undefined && body.errcode !== undefined) {
    if (body.errcode === 0 || body.errcode === '0') return { ok: true, data: body.data };
    return {
      ok: false,
      refused: true,
      errcode: str(body.errcode),
      detail: firstText(body.description, body.description_cn, body.message),
    };
  }
  const errcode = firstText(body.errorCode);
  if (body.success === false || body.success === 'false')
    return {
      ok: false,
      refused: true,
      ...(errcode ? { errcode } : {}),
      detail: firstText(body.message, body.description_cn, body.description),
    };
  if (body.success === true || body.success === 'true') {
    const inner = asRecord(body.data);
    if (inner && (inner.success === false || inner.success === 'false')) {
      const code = firstText(inner.errorCode, body.errorCode);
      return {
        ok: false,
        refused: true,
        ...(code ? { errcode: code } : {}),
        detail: firstText(records(inner.errorInfo)[0]?.msg, inner.message, body.message, body.description_cn),
      };
    }
    return { ok: true, data: body.data };
  }
  return { ok: false, refused: false, detail: 'answer without success or errcode' };
}

/** The V1 family: user login, account set, `?access_token=` + `accountId`/`groupName` on every call. */
export class V1Family implements FamilyWire, XingchenFamilyClient {
  readonly family = 'v1' as const;
  readonly tokens: TokenManager;
  private account: V1AccountSet | undefined;

  constructor(
    private readonly core: XingchenCore,
    private readonly settings: XingchenV1Config,
  ) {
    this.tokens = new TokenManager(() => this.login(), {
      refreshMarginMs: core.config.tokenRefreshMarginMs,
      now: () => core.clock.now(),
      failureHoldMs: core.failureHoldMs,
    });
  }

  token(): Promise<string> {
    return this.tokens.get();
  }

  invalidate(token: string): void {
    this.tokens.invalidate(token);
  }

  decorate(
    call: WireCall,
    token: string | undefined,
  ): { headers: Record<string, string>; query: QueryParams } {
    const headers: Record<string, string> = {};
    const query: Record<string, string> = { ...call.query };
    if (call.method === 'POST') headers['Content-Type'] = 'application/json; charset=utf-8';
    if (token !== undefined) {
      query.access_token = token;
      if (this.account) {
        headers.accountId = this.account.accountId;
        headers.groupName = this.account.groupName;
      }
    }
    return { headers, query };
  }

  read(_operation: XingchenOperation, body: Json): Reading {
    return readV1Envelope(body);
  }

  private async login(): Promise<IssuedToken> {
    const requestedAt = this.core.clock.now();
    const data = asRecord(
      await this.core.send(this, {
        operation: 'login',
        method: 'GET',
        path: V1Paths.login,
        query: {
          client_id: this.core.config.clientId,
          client_secret: this.core.config.clientSecret,
          username: this.settings.username,
          password: this.settings.password,
        },
        business: false,
      }),
    );
    const token = str(data?.access_token);
    if (!data || !token) throw this.core.malformed('login', 'login answer without access_token');
    if (!this.account) {
      const groups = await this.core.send(this, {
        operation: 'account_group',
        method: 'POST',
        path: V1Paths.accountGroup,
        query: { access_token: token },
        business: false,
      });
      this.account = selectAccountGroup(groups, this.settings.accountId);
      this.core.logger?.info({ accountId: this.account.accountId }, 'xingchen v1 account set selected');
    }
    const expiresAt = v1ExpiresAt(data, requestedAt);
    this.core.logger?.info(
      { expiresAt: new Date(expiresAt).toISOString() },
      'xingchen v1 access token issued',
    );
    return { token, expiresAt };
  }

  private post(operation: XingchenOperation, path: string, body: Json): Promise<unknown> {
    return this.core.call(this, { operation, method: 'POST', path, body, business: true });
  }

  async saveSalesOrder(draft: SalesOrderDraft): Promise<SaveResult> {
    const data = await this.post('sal_order_save', V1Paths.salOrderSave, v1SaveBody(draft));
    const id = readV1SaveId(data);
    if (!id)
      throw new XingchenAmbiguousError(
        'xingchen sal_order_save: success answer without data.successPkIds[0]; the save may have been applied',
        { reason: 'ambiguous_answer' },
      );
    return { id };
  }

  async findSalesOrderByBillNo(billNo: string): Promise<XingchenSalesOrderSummary | null> {
    const data = asRecord(
      await this.post('sal_order_list', V1Paths.salOrderList, {
        search: billNo,
        page: 1,
        pagesize: LOOKUP_PAGE_SIZE,
      }),
    );
    return exactBill(readSalesOrderPage(data, readV1ListRow), billNo, this.core.logger);
  }

  async getSalesOrder(id: string): Promise<XingchenSalesOrder | null> {
    // "单据不存在" and any other refusal of a detail by id: there is no such bill to read
    return absentWhenRefused(
      this.post('sal_order_detail', V1Paths.salOrderDetail, { id }).then(readV1Detail),
    );
  }

  async listSalesOrders(page: number, pageSize: number): Promise<SalesOrderPage> {
    const data = asRecord(
      await this.post('sal_order_list', V1Paths.salOrderList, { page, pagesize: pageSize }),
    );
    return readSalesOrderPage(data, readV1ListRow);
  }

  /** The list row whose `number` equals the number exactly (`search` is a fuzzy filter). */
  private async listRow(operation: XingchenOperation, path: string, number: string): Promise<Json | null> {
    const data = asRecord(
      await this.post(operation, path, { search: number, page: 1, pagesize: LOOKUP_PAGE_SIZE }),
    );
    return records(data?.rows).find((row) => str(row.number) === number && str(row.id) !== undefined) ?? null;
  }

  private basic(row: Json): XingchenCustomer {
    return {
      id: str(row.id)!,
      number: str(row.number)!,
      name: str(row.name) ?? '',
      enabled: enabled(row.enable),
    };
  }

  async findCustomer(number: string): Promise<XingchenCustomer | null> {
    const row = await this.listRow('customer_list', V1Paths.customerList, number);
    return row && this.basic(row);
  }

  async findStore(number: string): Promise<XingchenStore | null> {
    const row = await this.listRow('store_list', V1Paths.storeList, number);
    return row && this.basic(row);
  }

  async findMaterial(number: string): Promise<XingchenMaterial | null> {
    const row = await this.listRow('material_list', V1Paths.materialList, number);
    if (!row) return null;
    const detail = asRecord(await this.post('material_detail', V1Paths.materialDetail, { id: str(row.id)! }));
    const baseUnitId = str(detail?.baseunitid_id);
    if (!detail || !baseUnitId)
      throw this.core.malformed('material_detail', 'material without baseunitid_id');
    const unitIds = [baseUnitId];
    for (const key of ['fixunit1_id', 'fixunit2_id', 'fixunit3_id']) {
      const unit = str(detail[key]);
      if (unit && !unitIds.includes(unit)) unitIds.push(unit);
    }
    return { ...this.basic(row), name: str(detail.name) ?? str(row.name) ?? '', baseUnitId, unitIds };
  }
}
