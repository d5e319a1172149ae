import { checkObject, fieldKinds, isPlainObject, Refused, type FieldKind } from './field-check';
import { FamilyRoutes, masterDataRoutes, type RouteHandler } from './family-routes';
import { send, type ApiCall } from './http-kit';
import { checkReferences } from './order-book';
import { pageOf, parseJson, type SandboxContext } from './sandbox-context';
import { materialViewV1, type MasterKind } from './sandbox-state';
import { type V1Auth } from './v1-auth';
import { parseV1Save, v1Detail, v1ListRow, V1_NAMES } from './v1-names';
import { type AccountSet } from './sandbox-config';

/** V1 (legacy): `/auth/user/access_token`, `/jdy/sys/accountGroup`, `/jdy/sal/*`, `/jdy/basedata/*`. */

export const V1_LOGIN_PATH = '/auth/user/access_token';
export const V1_ACCOUNT_GROUP_PATH = '/jdy/sys/accountGroup';
/** Paths of the legacy family: a call to one of them "the V2 way" is 5001, any unknown one too. */
export const isV1Path = (path: string): boolean =>
  path.startsWith('/jdy/sal/') || path.startsWith('/jdy/basedata/') || path.startsWith('/jdy/sys/');

const okV1 = (call: ApiCall, data: unknown) =>
  send(call.res, 200, { success: true, message: '', errorCode: '', data });
/** An outer failure (HTTP 200, `success: false`). */
const failV1 = (call: ApiCall, errorCode: string, message: string) =>
  send(call.res, 200, { success: false, errorCode, message, description_cn: message });

/** The JSON object body of a V1 call, checked against `spec`; answers the outer failure itself. */
function bodyOf(call: ApiCall, route: string, ctx: SandboxContext, spec: Record<string, FieldKind>) {
  const parsed = parseJson(call.rawBody || '{}');
  try {
    if (!parsed.ok) throw new Refused(2001, '请求体不是合法的 JSON');
    return checkObject(parsed.value, '', spec, []);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    ctx.stats.count(route, `errcode_${error.code}`);
    failV1(call, String(error.code), error.message);
    return undefined;
  }
}

const paging = (body: Record<string, unknown>) => {
  const page = Math.max(1, Number(body.page ?? 1) || 1);
  const size = Math.min(100, Math.max(1, Number(body.pagesize ?? 20) || 20));
  return [page, size] as const;
};

async function saveOrder(ctx: SandboxContext, call: ApiCall, route: string, accountSet: AccountSet) {
  const parsed = parseJson(call.rawBody);
  if (!parsed.ok || !isPlainObject(parsed.value)) {
    ctx.stats.count(route, 'errcode_2001');
    failV1(call, '2001', '请求体必须是 JSON 对象');
    return;
  }
  const book = ctx.book(accountSet.accountId);
  const outcome = await ctx.save(call, route, () => {
    const { draft, body } = parseV1Save(parsed.value);
    checkReferences(draft, ctx.master, V1_NAMES);
    return book.save(draft, 'v1', body, V1_NAMES);
  });
  if (!outcome) return;
  if ('refused' in outcome) {
    const msg = outcome.refused.message;
    const data = {
      successPkIds: [],
      success: false,
      errorInfo: [{ id: '', msg }],
      message: msg,
      errorLevel: 'error',
    };
    send(call.res, 200, { success: true, message: '', errorCode: '', data });
    return;
  }
  const data = {
    successPkIds: [outcome.result.id],
    success: true,
    errorInfo: [],
    message: '',
    errorLevel: '',
  };
  okV1(call, data);
}

const ORDER_LIST: Record<string, FieldKind> = {
  ...fieldKinds('string', 'search billno startdate enddate'),
  ...fieldKinds('int', 'page pagesize'),
};

function listOrders(ctx: SandboxContext, call: ApiCall, route: string, accountSet: AccountSet) {
  const body = bodyOf(call, route, ctx, ORDER_LIST);
  if (!body) return;
  const { search, billno, startdate, enddate } = body as Record<string, string | undefined>;
  const rows = ctx
    .book(accountSet.accountId)
    .list()
    .filter((o) => (billno === undefined || o.billNo === billno) && (!search || o.billNo.includes(search)))
    .filter((o) => (!startdate || o.billDate >= startdate) && (!enddate || o.billDate <= enddate))
    .map((o) => v1ListRow(o, ctx.master));
  ctx.stats.count(route, 'ok');
  okV1(call, pageOf(rows, ...paging(body)));
}

function orderDetail(ctx: SandboxContext, call: ApiCall, route: string, accountSet: AccountSet) {
  const body = bodyOf(call, route, ctx, { id: 'string', billno: 'string' });
  if (!body) return;
  const book = ctx.book(accountSet.accountId);
  const order = body.id
    ? book.get(body.id as string)
    : book.byBillNo((body.billno as string | undefined) ?? '');
  if (!order) {
    ctx.stats.count(route, 'not_found');
    failV1(call, '', '单据不存在');
    return;
  }
  ctx.stats.count(route, 'ok');
  okV1(call, v1Detail(order, ctx.master));
}

const BASEDATA_LIST: Record<string, FieldKind> = {
  ...fieldKinds('string', 'search selectfields'),
  ...fieldKinds('int', 'enable page pagesize unpage'),
  ...fieldKinds('bool', 'showunits isdataperm'),
  ...fieldKinds('array', 'groupid'),
};

const basedataList = (kind: MasterKind) => (ctx: SandboxContext, call: ApiCall, route: string) => {
  const body = bodyOf(call, route, ctx, BASEDATA_LIST);
  if (!body) return;
  const enable = body.enable === undefined ? -1 : Number(body.enable);
  const rows = ctx.master
    .search(kind, (body.search as string | undefined) ?? '')
    .filter((r) => enable === -1 || Number(r.enable) === enable)
    .map((r) => {
      const row = { id: r.id, number: r.number, name: r.name, enable: r.enable };
      if (kind !== 'materials' || body.showunits !== true) return row;
      return { ...row, ...materialViewV1(ctx.master.materials.get(r.number)!) };
    });
  const [page, size] =
    body.unpage === 1 || body.unpage === '1' ? [1, Math.max(1, rows.length)] : paging(body);
  ctx.stats.count(route, 'ok');
  okV1(call, pageOf(rows, page, size));
};

const DETAIL_KEYS: Record<string, FieldKind> = {
  ...fieldKinds('string', 'id number'),
  ...fieldKinds('bool', 'showperiod showunvisitdays showbusinesstime showdebt'),
};

const basedataDetail = (kind: MasterKind) => (ctx: SandboxContext, call: ApiCall, route: string) => {
  const body = bodyOf(call, route, ctx, DETAIL_KEYS);
  if (!body) return;
  const record = ctx.master.find(kind, body);
  if (!record) {
    ctx.stats.count(route, 'not_found');
    failV1(call, '', '数据不存在');
    return;
  }
  ctx.stats.count(route, 'ok');
  const view =
    kind === 'materials'
      ? materialViewV1(ctx.master.materials.get(record.number)!)
      : { id: record.id, number: record.number, name: record.name };
  okV1(call, view);
};

type Bound = RouteHandler<[ctx: SandboxContext, call: ApiCall, route: string, accountSet: AccountSet]>;
const ROUTES: Record<string, [string, Bound]> = {
  '/jdy/sal/sal_order_save': ['sal_order_save', saveOrder],
  '/jdy/sal/sal_order_list': ['sal_order_list', listOrders],
  '/jdy/sal/sal_order_detail': ['sal_order_detail', orderDetail],
  ...masterDataRoutes((name, view) => `/jdy/basedata/${name}_${view}`, basedataList, basedataDetail),
};

export class V1Routes extends FamilyRoutes<V1Auth> {
  /** Login: GET with the query (or a form POST); wrong credentials are HTTP 200 errcode 1000. */
  login(call: ApiCall): void {
    const route = 'v1.login';
    if (call.method !== 'GET' && call.method !== 'POST')
      return this.ctx.stats.gatewayError(call.res, route, 5002, '请求方法不允许');
    const answer = this.issued(call, route, () => this.auth.login(call), 'loginsIssued');
    if (!answer) return;
    const data = {
      access_token: answer.token,
      expires_in: answer.expiresInSeconds,
      expires: answer.expires,
      uid: 1,
    };
    send(call.res, 200, { errcode: 0, description: '', data });
  }

  accountGroup(call: ApiCall): void {
    const route = 'v1.account_group';
    if (call.method !== 'POST') return this.ctx.stats.gatewayError(call.res, route, 5002, '请求方法不允许');
    const token = this.auth.checkToken(call);
    if (!token.ok) return this.ctx.stats.gatewayError(call.res, route, token.code, token.description);
    this.ctx.stats.count(route, 'ok');
    send(call.res, 200, { success: true, errorCode: '', message: '', data: this.auth.accountGroups() });
  }

  /** A `/jdy/sal/*` or `/jdy/basedata/*` call: auth, account set, quota, then the handler. */
  async business(call: ApiCall, routedToV2: boolean): Promise<void> {
    const entry = ROUTES[call.url.pathname];
    const route = entry ? `v1.${entry[0]}` : 'v1.unknown';
    if (!entry || routedToV2)
      return this.ctx.stats.gatewayError(call.res, route, 5001, `API 不存在: ${call.url.pathname}`);
    if (call.method !== 'POST') return this.ctx.stats.gatewayError(call.res, route, 5002, '请求方法不允许');
    const verdict = this.auth.verify(call);
    if (!verdict.ok) return this.ctx.stats.gatewayError(call.res, route, verdict.code, verdict.description);
    if (!this.ctx.admit(call, route, verdict.accountSet.accountId)) return;
    await entry[1](this.ctx, call, route, verdict.accountSet);
  }
}
