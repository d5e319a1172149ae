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
import {
  XingchenAmbiguousError,
  XingchenAppSecretRejectedError,
  XingchenBusinessError,
  type XingchenOperation,
} from '../xingchen-errors';
import { appSignature, gatewayHeaders, type QueryParams } from '../xingchen-signer';
import {
  type SaveResult,
  type XingchenCustomer,
  type XingchenMaterial,
  type XingchenStore,
  type XingchenV2Config,
} from '../xingchen.types';
import {
  absentWhenRefused,
  auditedFrom,
  exactBill,
  readSalesOrderPage,
  type SalesOrderPage,
  type XingchenFamilyClient,
} from './family';

/** V2: the 金蝶云·星辰 open platform, as Kingdee's Swagger SDK (zhuger/kingdee) and Java gateway SDK speak it. */
export const V2Paths = {
  /** AppTokenApi: GET app_key + app_signature. */
  token: '/jdyconnector/app_management/kingdee_auth_token',
  /** AuthorizeApi: POST ?outerInstanceId= → AsterAuthorizeRes[]. */
  authorize: '/jdyconnector/app_management/push_app_authorize',
  /** SalOrderApi: POST save (SalOrderSaveReq), GET list (SalOrderListReq). */
  salOrder: '/jdy/v2/scm/sal_order',
  salOrderDetail: '/jdy/v2/scm/sal_order_detail',
  /** CustomerApi / MaterialApi / StoreApi: detail by id or number, list with search/page/page_size. */
  customerDetail: '/jdy/v2/bd/customer_detail',
  customerList: '/jdy/v2/bd/customer',
  materialDetail: '/jdy/v2/bd/material_detail',
  materialList: '/jdy/v2/bd/material',
  storeDetail: '/jdy/v2/bd/store_detail',
  storeList: '/jdy/v2/bd/store',
} as const;

const LOOKUP_PAGE_SIZE = '100';

/**
 * The body of `POST /jdy/v2/scm/sal_order` (SalOrderSaveReq + SalOrderSaveReqMaterialEntity):
 * V2 names only, decimals as strings, header custom fields in the `custom_field` map. Lines carry
 * their entry `id` only when every line has one (the sandbox refuses a mix; none = replace all lines).
 */
export function v2SaveBody(draft: SalesOrderDraft): Json {
  const body: Json = {};
  if (draft.id) body.id = draft.id;
  body.bill_no = draft.billNo;
  body.bill_date = draft.billDate;
  body.customer_id = draft.customerId;
  if (draft.remark !== undefined) body.remark = draft.remark;
  if (Object.keys(draft.customFields).length > 0) body.custom_field = { ...draft.customFields };
  const withIds = draft.id !== undefined && draft.lines.every((line) => Boolean(line.entryId));
  body.material_entity = draft.lines.map((line) => ({
    ...(withIds ? { id: line.entryId } : {}),
    material_id: line.materialId,
    stock_id: line.storeId,
    qty: line.qty,
    unit_id: line.unitId,
    tax_price: line.taxPrice,
    cess: line.taxPercent,
    is_free: line.isFree,
  }));
  return body;
}

/** The bill id of a V2 save answer's `data` (SaveReply `ids[0]`). */
export function readV2SaveId(data: unknown): string | undefined {
  const ids = asRecord(data)?.ids;
  return Array.isArray(ids) ? str(ids[0]) : undefined;
}

/** A V2 `sal_order_detail` answer's `data` in neutral names; null when it is not a bill. */
export function readV2Detail(data: unknown): XingchenSalesOrder | null {
  const record = asRecord(data);
  const id = str(record?.id);
  if (!record || !id) return null;
  const customFields: Record<string, string> = {};
  for (const [key, value] of Object.entries(asRecord(record.custom_field) ?? {})) {
    const text = str(value);
    if (text !== undefined) customFields[key] = text;
  }
  const lines: XingchenSalesOrderLine[] = records(record.material_entity).map((line) => ({
    entryId: str(line.id) ?? '',
    materialId: str(line.material_id) ?? '',
    storeId: str(line.stock_id) ?? '',
    qty: str(line.qty) ?? '0',
    unitId: str(line.unit_id) ?? '',
    taxPrice: str(line.tax_price) ?? '0',
    isFree: bool(line.is_free),
    taxPercent: str(line.cess) ?? '0',
  }));
  const remark = str(record.remark);
  return {
    id,
    billNo: str(record.bill_no) ?? '',
    billDate: str(record.bill_date) ?? '',
    customerId: str(record.customer_id) ?? '',
    audited: auditedFrom(record.bill_status),
    status: str(record.bill_status) ?? '',
    ...(remark !== undefined ? { remark } : {}),
    customFields,
    lines,
  };
}

/** A V2 list row (SalOrderListReplyRow) in neutral names. */
export function readV2ListRow(row: Json): XingchenSalesOrderSummary | undefined {
  const id = str(row.id);
  const billNo = str(row.bill_no);
  if (!id || !billNo) return undefined;
  return { id, billNo, ...(row.bill_status !== undefined ? { audited: auditedFrom(row.bill_status) } : {}) };
}

/** The V2 envelope: `{errcode: 0, description, data}`; any other errcode is a refusal. */
export function readV2Envelope(body: Json): Reading {
  if (body.errcode === 0 || body.errcode === '0') return { ok: true, data: body.data };
  if (body.errcode !== undefined && body.errcode !== null) {
    const numeric = Number(body.errcode);
    return {
      ok: false,
      refused: true,
      errcode: Number.isFinite(numeric) ? numeric : str(body.errcode),
      detail: firstText(body.description, body.description_cn, body.message),
    };
  }
  return { ok: false, refused: false, detail: 'answer without errcode' };
}

interface AppCredentials {
  appKey: string;
  appSecret: string;
  domain: string;
}

/** The account set's credentials from a push_app_authorize answer's `data` (AsterAuthorizeRes[]). */
export function readAuthorization(data: unknown, outerInstanceId: string): AppCredentials {
  const rows = Array.isArray(data) ? records(data) : records([data]);
  const row = rows.find((item) => str(item.outer_instance_id) === outerInstanceId) ?? rows[0];
  const appKey = str(row?.app_key);
  const appSecret = str(row?.app_secret);
  const domain = str(row?.domain);
  if (!row)
    throw new FatalError(
      `xingchen authorize: no authorization for XINGCHEN_OUTER_INSTANCE_ID "${outerInstanceId}" (has the tenant authorized the app?)`,
      { reason: 'authorization_missing' },
    );
  if (!appKey || !appSecret || !domain)
    throw new FatalError(
      'xingchen authorize: the authorization of XINGCHEN_OUTER_INSTANCE_ID lacks app_key, app_secret or domain',
      { reason: 'authorization_incomplete' },
    );
  return { appKey, appSecret, domain };
}

type MasterKind = 'customer' | 'material' | 'store';
const masterPaths: Record<MasterKind, { detail: string; list: string }> = {
  customer: { detail: V2Paths.customerDetail, list: V2Paths.customerList },
  material: { detail: V2Paths.materialDetail, list: V2Paths.materialList },
  store: { detail: V2Paths.storeDetail, list: V2Paths.storeList },
};

/** The V2 family: gateway signature on every request, app-token + router address on business calls. */
export class V2Family implements FamilyWire, XingchenFamilyClient {
  readonly family = 'v2' as const;
  readonly tokens: TokenManager;
  private pushed: AppCredentials | undefined;
  private authorizations = 0;

  constructor(
    private readonly core: XingchenCore,
    private readonly settings: XingchenV2Config,
  ) {
    this.tokens = new TokenManager(() => this.requestToken(), {
      refreshMarginMs: core.config.tokenRefreshMarginMs,
      now: () => core.clock.now(),
      failureHoldMs: core.failureHoldMs,
    });
  }

  /** push_app_authorize requests made so far (tests, logs). */
  get authorizeCount(): number {
    return this.authorizations;
  }

  token(): Promise<string> {
    return this.tokens.get();
  }

  invalidate(token: string): void {
    this.tokens.invalidate(token);
  }

  private get current(): AppCredentials | undefined {
    const credentials = this.settings.credentials;
    return credentials.kind === 'static' ? credentials : this.pushed;
  }

  decorate(
    call: WireCall,
    token: string | undefined,
  ): { headers: Record<string, string>; query: QueryParams } {
    const query = call.query ?? {};
    const headers: Record<string, string> = gatewayHeaders(
      {
        method: call.method,
        path: call.path,
        query,
        nonce: this.core.nonce(),
        timestamp: String(this.core.clock.now()),
      },
      { clientId: this.core.config.clientId, clientSecret: this.core.config.clientSecret },
    );
    if (token !== undefined) {
      headers['app-token'] = token;
      const domain = this.current?.domain;
      if (domain) headers['X-GW-Router-Addr'] = domain;
    }
    if (call.body !== undefined) headers['Content-Type'] = 'application/json;charset=utf-8';
    return { headers, query };
  }

  read(_operation: XingchenOperation, body: Json): Reading {
    return readV2Envelope(body);
  }

  private async authorize(outerInstanceId: string): Promise<AppCredentials> {
    this.authorizations++;
    const data = await this.core.send(this, {
      operation: 'authorize',
      method: 'POST',
      path: V2Paths.authorize,
      query: { outerInstanceId },
      business: false,
    });
    this.pushed = readAuthorization(data, outerInstanceId);
    this.core.logger?.info({ operation: 'authorize' }, 'xingchen v2 authorization fetched');
    return this.pushed;
  }

  private async appToken(credentials: AppCredentials): Promise<IssuedToken> {
    const data = asRecord(
      await this.core.send(this, {
        operation: 'token',
        method: 'GET',
        path: V2Paths.token,
        query: {
          app_key: credentials.appKey,
          app_signature: appSignature(credentials.appKey, credentials.appSecret),
        },
        business: false,
      }),
    );
    const token = str(data?.['app-token']);
    const expires = Number(data?.expires);
    if (!token || !Number.isFinite(expires))
      throw this.core.malformed('token', 'token answer without app-token or expires');
    this.core.logger?.info({ expiresAt: new Date(expires).toISOString() }, 'xingchen app-token issued');
    return { token, expiresAt: expires };
  }

  /**
   * The app-token; with a pushed authorization the app_secret may have rotated (1030002006): fetch
   * the authorization again ONCE and retry; a second refusal is the FatalError of the table.
   */
  private async requestToken(): Promise<IssuedToken> {
    const credentials = this.settings.credentials;
    if (credentials.kind === 'static') return this.appToken(credentials);
    const first = this.pushed ?? (await this.authorize(credentials.outerInstanceId));
    try {
      return await this.appToken(first);
    } catch (error) {
      if (!(error instanceof XingchenAppSecretRejectedError)) throw error;
      this.core.logger?.info(
        { operation: 'token' },
        'xingchen app_secret refused, fetching the authorization again',
      );
      this.pushed = undefined;
      return this.appToken(await this.authorize(credentials.outerInstanceId));
    }
  }

  private get(operation: XingchenOperation, path: string, query: QueryParams): Promise<unknown> {
    return this.core.call(this, { operation, method: 'GET', path, query, business: true });
  }

  private async postSave(body: Json): Promise<string> {
    const data = await this.core.call(this, {
      operation: 'sal_order_save',
      method: 'POST',
      path: V2Paths.salOrder,
      body,
      business: true,
    });
    const id = readV2SaveId(data);
    if (!id)
      throw new XingchenAmbiguousError(
        'xingchen sal_order_save: success answer without data.ids[0]; the save may have been applied',
        { reason: 'ambiguous_answer' },
      );
    return id;
  }

  async saveSalesOrder(draft: SalesOrderDraft): Promise<SaveResult> {
    const body = v2SaveBody(draft);
    const id = await this.postSave(body);
    const sent = body.material_entity as Json[];
    if (draft.id === undefined || sent.every((line) => line.id !== undefined)) return { id };
    // a modify without entry ids replaces every line (contract); should the service have added them
    // to the stored ones instead, one corrective modify with the stored entry ids, never more
    const stored = await this.getSalesOrder(id);
    if (!stored || stored.lines.length <= draft.lines.length) return { id };
    this.core.logger?.warn(
      { operation: 'sal_order_save', sent: sent.length, stored: stored.lines.length },
      'xingchen kept old lines on a modify without entry ids: correcting once',
    );
    const corrected = v2SaveBody({
      ...draft,
      id,
      lines: draft.lines.map((line, index) => ({ ...line, entryId: stored.lines[index].entryId })),
    });
    return { id: await this.postSave(corrected) };
  }

  async findSalesOrderByBillNo(billNo: string): Promise<XingchenSalesOrderSummary | null> {
    const data = asRecord(
      await this.get('sal_order_list', V2Paths.salOrder, {
        bill_no: billNo,
        page: '1',
        page_size: LOOKUP_PAGE_SIZE,
      }),
    );
    return exactBill(readSalesOrderPage(data, readV2ListRow), billNo, this.core.logger);
  }

  async getSalesOrder(id: string): Promise<XingchenSalesOrder | null> {
    // any refusal of a detail by id (1001 in the sandbox, whatever elsewhere): no such bill to read
    return absentWhenRefused(this.get('sal_order_detail', V2Paths.salOrderDetail, { id }).then(readV2Detail));
  }

  async listSalesOrders(page: number, pageSize: number): Promise<SalesOrderPage> {
    const data = asRecord(
      await this.get('sal_order_list', V2Paths.salOrder, { page: String(page), page_size: String(pageSize) }),
    );
    return readSalesOrderPage(data, readV2ListRow);
  }

  /**
   * Detail by number; any business refusal is confirmed by the list (search + exact number), never
   * read from a business code: no row → not found; a row → its detail by id.
   */
  private async masterData(kind: MasterKind, number: string): Promise<Json | null> {
    const paths = masterPaths[kind];
    const detail = `${kind}_detail` as const;
    try {
      const data = asRecord(await this.get(detail, paths.detail, { number }));
      if (data && str(data.id) !== undefined && (data.number === undefined || str(data.number) === number))
        return data;
    } catch (error) {
      if (!(error instanceof XingchenBusinessError)) throw error;
    }
    const list = asRecord(
      await this.get(`${kind}_list`, paths.list, { search: number, page: '1', page_size: LOOKUP_PAGE_SIZE }),
    );
    const row = records(list?.rows).find((item) => str(item.number) === number && str(item.id) !== undefined);
    if (!row) return null;
    const data = asRecord(await this.get(detail, paths.detail, { id: str(row.id)! }));
    if (!data || str(data.id) === undefined)
      throw this.core.malformed(detail, 'detail by id without a record');
    return data;
  }

  private basic(data: Json, number: string): XingchenCustomer {
    return {
      id: str(data.id)!,
      number: str(data.number) ?? number,
      name: str(data.name) ?? '',
      enabled: enabled(data.enable),
    };
  }

  async findCustomer(number: string): Promise<XingchenCustomer | null> {
    const data = await this.masterData('customer', number);
    return data && this.basic(data, number);
  }

  async findStore(number: string): Promise<XingchenStore | null> {
    const data = await this.masterData('store', number);
    return data && this.basic(data, number);
  }

  async findMaterial(number: string): Promise<XingchenMaterial | null> {
    const data = await this.masterData('material', number);
    if (!data) return null;
    const baseUnitId = str(data.base_unit_id);
    if (!baseUnitId) throw this.core.malformed('material_detail', 'material without base_unit_id');
    const unitIds = [baseUnitId];
    for (const key of ['fix_unit_id1', 'fix_unit_id2', 'fix_unit_id3']) {
      const unit = str(data[key]);
      if (unit && !unitIds.includes(unit)) unitIds.push(unit);
    }
    return { ...this.basic(data, number), baseUnitId, unitIds };
  }
}
