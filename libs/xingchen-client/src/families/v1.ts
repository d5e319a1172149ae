import { FatalError } from '@app/contracts';
import { type FamilyWire, type Reading, type WireCall, type XingchenCore } from '../core';
import { asRecord, firstText, records, str, type Json } from '../json';
import {
  type SalesOrderDraft,
  type XingchenSalesOrder,
  type XingchenSalesOrderSummary,
} from '../sales-order';
import { type IssuedToken } from '../token-manager';
import { type XingchenOperation } from '../xingchen-errors';
import { type QueryParams } from '../xingchen-signer';
import { type SaveResult, type XingchenMaterial, type XingchenV1Config } from '../xingchen.types';
import * as shared from './family';

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
/** Assumed lifetime of an access token whose answer carries none (wire decision). */
const DEFAULT_LIFETIME_MS = 2 * 3600_000;
const V1_HEADER_KEYS: shared.HeaderWireKeys = {
  billNo: 'billno',
  billDate: 'billdate',
  customerId: 'customerid_id',
};
const V1_LINE_KEYS = shared.lineWireKeys('v1');

/** The master-data list of each kind. */
const V1MasterLists: Record<shared.MasterKind, string> = {
  customer: V1Paths.customerList,
  material: V1Paths.materialList,
  store: V1Paths.storeList,
};
/** The base and fixed auxiliary unit keys of a V1 material detail. */
const V1_UNITS = { base: 'baseunitid_id', fixed: ['fixunit1_id', 'fixunit2_id', 'fixunit3_id'] } as const;

/** The flat body of `POST /jdy/sal/sal_order_save`: numbers as strings, custom fields as top-level keys. */
export function v1SaveBody(draft: SalesOrderDraft): Json {
  const body = shared.headerBody(draft, V1_HEADER_KEYS);
  for (const [key, value] of Object.entries(draft.customFields)) {
    if (!V1_CUSTOM_FIELD_KEY.test(key))
      throw new FatalError(
        `xingchen v1: "${key}" is not a V1 header custom field key (custom_field<id>[_number|_id|_name]); fix the mapping's custom field key`,
        { reason: 'custom_field_key_invalid' },
      );
    body[key] = value;
  }
  body.material_entity = draft.lines.map((line) =>
    shared.lineBody(line, V1_LINE_KEYS, Boolean(line.entryId)),
  );
  return body;
}

/** The bill id of a successful V1 save answer's `data` (`successPkIds[0]`); undefined when absent. */
export const readV1SaveId = (data: unknown): string | undefined => shared.firstSavedId(data, 'successPkIds');

/** The V1 status as sent: the first of the four keys the legacy API has used. */
const v1StatusValue = (data: Json): unknown =>
  data.billstatus ?? data.checkstatus ?? data.audit_status ?? data.bill_status;

const V1_DETAIL: shared.DetailWire = {
  header: V1_HEADER_KEYS,
  lines: V1_LINE_KEYS,
  customFields: (record) => Object.entries(record).filter(([key]) => V1_CUSTOM_FIELD_KEY.test(key)),
  status: (record) => ({
    audited: shared.auditedFrom(v1StatusValue(record)),
    status: firstText(record.billstatus, record.checkstatus, record.audit_status, record.bill_status) ?? '',
  }),
};

/** A V1 `sal_order_detail` answer's `data` in neutral names; null when it is not a bill. */
export const readV1Detail = (data: unknown): XingchenSalesOrder | null => shared.readDetail(data, V1_DETAIL);

/** A V1 `sal_order_list` row in neutral names; undefined without id or bill number. */
export const readV1ListRow = (row: Json): XingchenSalesOrderSummary | undefined =>
  shared.readListRow(row, 'billno', v1StatusValue(row));

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
export class V1Family extends shared.FamilyBase implements FamilyWire, shared.XingchenFamilyClient {
  readonly family = 'v1' as const;
  private account: V1AccountSet | undefined;

  constructor(
    core: XingchenCore,
    private readonly settings: XingchenV1Config,
  ) {
    super(core);
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

  protected async issueToken(): Promise<IssuedToken> {
    const requestedAt = this.core.clock.now();
    const data = asRecord(
      await this.handshake('login', 'GET', V1Paths.login, {
        client_id: this.core.config.clientId,
        client_secret: this.core.config.clientSecret,
        username: this.settings.username,
        password: this.settings.password,
      }),
    );
    const token = str(data?.access_token);
    if (!data || !token) throw this.core.malformed('login', 'login answer without access_token');
    if (!this.account) {
      const groups = await this.handshake('account_group', 'POST', V1Paths.accountGroup, {
        access_token: token,
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
    if (!id) throw shared.savedWithoutId('successPkIds');
    return { id };
  }

  protected async salesOrderList(page: number, pageSize: number, billNo?: string): Promise<Json | undefined> {
    const filter = billNo !== undefined ? { search: billNo } : {};
    return asRecord(
      await this.post('sal_order_list', V1Paths.salOrderList, { ...filter, page, pagesize: pageSize }),
    );
  }

  protected async salesOrderDetail(id: string): Promise<XingchenSalesOrder | null> {
    return readV1Detail(await this.post('sal_order_detail', V1Paths.salOrderDetail, { id }));
  }

  protected readListRow(row: Json): XingchenSalesOrderSummary | undefined {
    return readV1ListRow(row);
  }

  /** The list row whose `number` equals the number exactly (`search` is a fuzzy filter). */
  protected async masterRecord(kind: shared.MasterKind, number: string): Promise<Json | null> {
    const data = asRecord(
      await this.post(`${kind}_list`, V1MasterLists[kind], {
        search: number,
        page: 1,
        pagesize: shared.LOOKUP_PAGE_SIZE,
      }),
    );
    return shared.exactNumberRow(data, number);
  }

  async findMaterial(number: string): Promise<XingchenMaterial | null> {
    const row = await this.masterRecord('material', number);
    if (!row) return null;
    const detail =
      asRecord(await this.post('material_detail', V1Paths.materialDetail, { id: str(row.id)! })) ?? {};
    const basic = { ...shared.readBasic(row, number), name: str(detail.name) ?? str(row.name) ?? '' };
    return shared.readMaterial(this.core, basic, detail, V1_UNITS);
  }
}
