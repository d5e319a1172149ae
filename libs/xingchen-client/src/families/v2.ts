import { FatalError } from '@app/contracts';
import { type FamilyWire, type Reading, type WireCall, type XingchenCore } from '../core';
import { asRecord, firstText, records, str, type Json } from '../json';
import {
  type SalesOrderDraft,
  type XingchenSalesOrder,
  type XingchenSalesOrderSummary,
} from '../sales-order';
import { type IssuedToken } from '../token-manager';
import {
  XingchenAppSecretRejectedError,
  XingchenBusinessError,
  type XingchenOperation,
} from '../xingchen-errors';
import { appSignature, gatewayHeaders, type QueryParams } from '../xingchen-signer';
import { type SaveResult, type XingchenMaterial, type XingchenV2Config } from '../xingchen.types';
import * as shared from './family';

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

/** Rows per look-up page, as the query string carries them. */
const LOOKUP_PAGE_SIZE = String(shared.LOOKUP_PAGE_SIZE);
const V2_HEADER_KEYS: shared.HeaderWireKeys = {
  billNo: 'bill_no',
  billDate: 'bill_date',
  customerId: 'customer_id',
};
const V2_LINE_KEYS = shared.lineWireKeys('v2');
/** The base and fixed auxiliary unit keys of a V2 material detail. */
const V2_UNITS = { base: 'base_unit_id', fixed: ['fix_unit_id1', 'fix_unit_id2', 'fix_unit_id3'] } as const;

/**
 * The body of `POST /jdy/v2/scm/sal_order` (SalOrderSaveReq + SalOrderSaveReqMaterialEntity):
 * V2 names only, decimals as strings, header custom fields in the `custom_field` map. Lines carry
 * their entry `id` only when every line has one (the sandbox refuses a mix; none = replace all lines).
 */
export function v2SaveBody(draft: SalesOrderDraft): Json {
  const body = shared.headerBody(draft, V2_HEADER_KEYS);
  if (Object.keys(draft.customFields).length > 0) body.custom_field = { ...draft.customFields };
  const withIds = draft.id !== undefined && draft.lines.every((line) => Boolean(line.entryId));
  body.material_entity = draft.lines.map((line) => shared.lineBody(line, V2_LINE_KEYS, withIds));
  return body;
}

/** The bill id of a V2 save answer's `data` (SaveReply `ids[0]`). */
export const readV2SaveId = (data: unknown): string | undefined => shared.firstSavedId(data, 'ids');

const V2_DETAIL: shared.DetailWire = {
  header: V2_HEADER_KEYS,
  lines: V2_LINE_KEYS,
  customFields: (record) => Object.entries(asRecord(record.custom_field) ?? {}),
  status: (record) => ({
    audited: shared.auditedFrom(record.bill_status),
    status: str(record.bill_status) ?? '',
  }),
};

/** A V2 `sal_order_detail` answer's `data` in neutral names; null when it is not a bill. */
export const readV2Detail = (data: unknown): XingchenSalesOrder | null => shared.readDetail(data, V2_DETAIL);

/** A V2 list row (SalOrderListReplyRow) in neutral names. */
export const readV2ListRow = (row: Json): XingchenSalesOrderSummary | undefined =>
  shared.readListRow(row, 'bill_no', row.bill_status);

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

const masterPaths: Record<shared.MasterKind, { detail: string; list: string }> = {
  customer: { detail: V2Paths.customerDetail, list: V2Paths.customerList },
  material: { detail: V2Paths.materialDetail, list: V2Paths.materialList },
  store: { detail: V2Paths.storeDetail, list: V2Paths.storeList },
};

/** The V2 family: gateway signature on every request, app-token + router address on business calls. */
export class V2Family extends shared.FamilyBase implements FamilyWire, shared.XingchenFamilyClient {
  readonly family = 'v2' as const;
  private pushed: AppCredentials | undefined;
  private authorizations = 0;

  constructor(
    core: XingchenCore,
    private readonly settings: XingchenV2Config,
  ) {
    super(core);
  }

  /** push_app_authorize requests made so far (tests, logs). */
  get authorizeCount(): number {
    return this.authorizations;
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
    const data = await this.handshake('authorize', 'POST', V2Paths.authorize, { outerInstanceId });
    this.pushed = readAuthorization(data, outerInstanceId);
    this.core.logger?.info({ operation: 'authorize' }, 'xingchen v2 authorization fetched');
    return this.pushed;
  }

  private async appToken(credentials: AppCredentials): Promise<IssuedToken> {
    const data = asRecord(
      await this.handshake('token', 'GET', V2Paths.token, {
        app_key: credentials.appKey,
        app_signature: appSignature(credentials.appKey, credentials.appSecret),
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
  protected async issueToken(): Promise<IssuedToken> {
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
    if (!id) throw shared.savedWithoutId('ids');
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

  protected async salesOrderList(page: number, pageSize: number, billNo?: string): Promise<Json | undefined> {
    const filter: QueryParams = billNo !== undefined ? { bill_no: billNo } : {};
    return asRecord(
      await this.get('sal_order_list', V2Paths.salOrder, {
        ...filter,
        page: String(page),
        page_size: String(pageSize),
      }),
    );
  }

  protected async salesOrderDetail(id: string): Promise<XingchenSalesOrder | null> {
    return readV2Detail(await this.get('sal_order_detail', V2Paths.salOrderDetail, { id }));
  }

  protected readListRow(row: Json): XingchenSalesOrderSummary | undefined {
    return readV2ListRow(row);
  }

  /**
   * Detail by number; any business refusal is confirmed by the list (search + exact number), never
   * read from a business code: no row → not found; a row → its detail by id.
   */
  protected async masterRecord(kind: shared.MasterKind, number: string): Promise<Json | null> {
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
    const row = shared.exactNumberRow(list, number);
    if (!row) return null;
    const data = asRecord(await this.get(detail, paths.detail, { id: str(row.id)! }));
    if (!data || str(data.id) === undefined)
      throw this.core.malformed(detail, 'detail by id without a record');
    return data;
  }

  async findMaterial(number: string): Promise<XingchenMaterial | null> {
    const data = await this.masterRecord('material', number);
    return data && shared.readMaterial(this.core, shared.readBasic(data, number), data, V2_UNITS);
  }
}
