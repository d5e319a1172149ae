import { isPlainObject } from './field-check';
import { FamilyRoutes, masterDataRoutes, type RouteHandler } from './family-routes';
import { send, type ApiCall } from './http-kit';
import { checkReferences } from './order-book';
import { pageOf, parseJson, type SandboxContext } from './sandbox-context';
import { materialView, type MasterKind } from './sandbox-state';
import { type V2Auth } from './v2-auth';
import { parseV2Save, v2Detail, v2ListRow, V2_NAMES } from './v2-names';

/** V2 (open platform): token, push_app_authorize, `/jdy/v2/scm/sal_order*`, `/jdy/v2/bd/*`. */

export const V2_TOKEN_PATH = '/jdyconnector/app_management/kingdee_auth_token';
export const V2_AUTHORIZE_PATH = '/jdyconnector/app_management/push_app_authorize';

const okV2 = (call: ApiCall, data: unknown) => send(call.res, 200, { errcode: 0, description: '', data });
const refuseV2 = (call: ApiCall, errcode: number, description: string) =>
  send(call.res, 200, { errcode, description, data: null });

const v2Page = <T>(rows: T[], q: URLSearchParams) => {
  const page = Math.max(1, Number(q.get('page') ?? '1') || 1);
  const size = Math.min(100, Math.max(1, Number(q.get('page_size') ?? '20') || 20));
  const { count, totalpage, rows: slice } = pageOf(rows, page, size);
  return { count, total_page: totalpage, page, page_size: size, rows: slice };
};

type Handler = RouteHandler<[ctx: SandboxContext, call: ApiCall, route: string, accountId: string]>;

async function saveOrder(ctx: SandboxContext, call: ApiCall, route: string, accountId: string) {
  const parsed = parseJson(call.rawBody);
  if (!parsed.ok || !isPlainObject(parsed.value)) {
    ctx.stats.count(route, 'errcode_2001');
    refuseV2(call, 2001, 'invalid request body: 请求体必须是 JSON 对象');
    return;
  }
  const book = ctx.book(accountId);
  const outcome = await ctx.save(call, route, () => {
    const { draft, body } = parseV2Save(parsed.value, ctx.master);
    checkReferences(draft, ctx.master, V2_NAMES);
    return book.save(draft, 'v2', body, V2_NAMES);
  });
  if (!outcome) return;
  if ('refused' in outcome) return refuseV2(call, outcome.refused.code, outcome.refused.message);
  const { id, order } = outcome.result;
  okV2(call, { ids: [id], id_number_map: { [id]: order.billNo } });
}

function listOrders(ctx: SandboxContext, call: ApiCall, route: string, accountId: string) {
  const q = call.url.searchParams;
  const billNo = q.get('bill_no');
  const search = q.get('search');
  const status = q.get('bill_status');
  const rows = ctx
    .book(accountId)
    .list()
    .filter((o) => (billNo === null || o.billNo === billNo) && (!search || o.billNo.includes(search)))
    .map((o) => v2ListRow(o, ctx.master))
    .filter((row) => !status || row.bill_status === status);
  ctx.stats.count(route, 'ok');
  okV2(call, v2Page(rows, q));
}

function orderDetail(ctx: SandboxContext, call: ApiCall, route: string, accountId: string) {
  const q = call.url.searchParams;
  const book = ctx.book(accountId);
  const id = q.get('id');
  const order = id ? book.get(id) : book.byBillNo(q.get('number') ?? q.get('bill_no') ?? '');
  if (!order) {
    ctx.stats.count(route, 'errcode_1001');
    return refuseV2(call, 1001, '数据不存在');
  }
  ctx.stats.count(route, 'ok');
  okV2(call, v2Detail(order, ctx.master));
}

const masterDetail = (kind: MasterKind) => (ctx: SandboxContext, call: ApiCall, route: string) => {
  const q = call.url.searchParams;
  const record = ctx.master.find(kind, {
    id: q.get('id') ?? undefined,
    number: q.get('number') ?? undefined,
  });
  if (!record) {
    ctx.stats.count(route, 'errcode_1001');
    return refuseV2(call, 1001, '数据不存在');
  }
  ctx.stats.count(route, 'ok');
  const view =
    kind === 'materials'
      ? materialView(ctx.master.materials.get(record.number)!)
      : { id: record.id, number: record.number, name: record.name, enable: record.enable };
  okV2(call, view);
};

const masterList = (kind: MasterKind) => (ctx: SandboxContext, call: ApiCall, route: string) => {
  const q = call.url.searchParams;
  const rows = ctx.master
    .search(kind, q.get('search') ?? '')
    .map((r) => ({ id: r.id, number: r.number, name: r.name, enable: r.enable }));
  ctx.stats.count(route, 'ok');
  okV2(call, v2Page(rows, q));
};

/** `METHOD path` → [route name, handler] (zhuger/kingdee docs/Api/SalOrderApi.md, CustomerApi.md, MaterialApi.md, StoreApi.md). */
const ROUTES: Record<string, [string, Handler]> = {
  'POST /jdy/v2/scm/sal_order': ['sal_order_save', saveOrder],
  'GET /jdy/v2/scm/sal_order': ['sal_order_list', listOrders],
  'GET /jdy/v2/scm/sal_order_detail': ['sal_order_detail', orderDetail],
  ...masterDataRoutes(
    (name, view) => `GET /jdy/v2/bd/${view === 'list' ? name : `${name}_detail`}`,
    masterList,
    masterDetail,
  ),
};
const KNOWN_PATHS = new Set(Object.keys(ROUTES).map((key) => key.split(' ')[1]));

export class V2Routes extends FamilyRoutes<V2Auth> {
  /** The gateway signature; false when the call was answered (519) here. */
  private signed(call: ApiCall, route: string): boolean {
    const verdict = this.auth.verifySignature(call);
    if (verdict.ok) return true;
    this.ctx.stats.gatewayError(call.res, route, verdict.code, verdict.description);
    return false;
  }

  token(call: ApiCall): void {
    const route = 'v2.token';
    if (call.method !== 'GET') return this.ctx.stats.gatewayError(call.res, route, 5002, '请求方法不允许');
    if (!this.signed(call, route)) return;
    const answer = this.issued(call, route, () => this.auth.issueToken(call), 'tokensIssued');
    if (!answer) return;
    const data = { 'app-token': answer.token, access_token: answer.token, expires: answer.expires, uid: 1 };
    okV2(call, data);
  }

  authorize(call: ApiCall): void {
    const route = 'v2.push_app_authorize';
    if (call.method !== 'POST') return this.ctx.stats.gatewayError(call.res, route, 5002, '请求方法不允许');
    if (!this.signed(call, route)) return;
    const answer = this.auth.authorize(call);
    if (!answer.ok) {
      this.ctx.stats.count(route, 'errcode_1001');
      return refuseV2(call, 1001, answer.description);
    }
    this.ctx.stats.count(route, answer.data.length > 0 ? 'ok' : 'empty');
    if (answer.data.length > 0) this.ctx.stats.bump('authorizationsIssued');
    okV2(call, answer.data);
  }

  /** A `/jdy/v2/*` call: route (5001/5002), signature, app-token and router address, quota, handler. */
  async business(call: ApiCall): Promise<void> {
    const path = call.url.pathname;
    const entry = ROUTES[`${call.method} ${path}`];
    const route = entry ? `v2.${entry[0]}` : 'v2.unknown';
    if (!entry) {
      if (KNOWN_PATHS.has(path)) return this.ctx.stats.gatewayError(call.res, route, 5002, '请求方法不允许');
      return this.ctx.stats.gatewayError(call.res, route, 5001, `API 不存在: ${path}`);
    }
    if (!this.signed(call, route)) return;
    const verdict = this.auth.verifyToken(call);
    if (!verdict.ok) return this.ctx.stats.gatewayError(call.res, route, verdict.code, verdict.description);
    const accountId = this.auth.settings.accountId;
    if (!this.ctx.admit(call, route, accountId)) return;
    await entry[1](this.ctx, call, route, accountId);
  }
}
