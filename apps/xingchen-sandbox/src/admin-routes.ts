import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type RouteHandler } from './family-routes';
import { readBody, send } from './http-kit';
import { validateFixture, type MasterDataFixture } from './master-data';
import { entriesOf, type NeutralOrder, type OrderBook } from './order-book';
import { type SandboxContext } from './sandbox-context';
import { materialView, type MasterKind } from './sandbox-state';
import { V1_NAMES } from './v1-names';
import { V2_NAMES } from './v2-names';

/** `GET /__sandbox/orders`: one stored order, its lines in the names of the family that created it. */
export function adminOrderView(order: NeutralOrder, ctx: SandboxContext) {
  return {
    id: order.id,
    billno: order.billNo,
    family: order.family,
    body: order.lastBody,
    bodyFamily: order.lastFamily,
    entries: entriesOf(order, ctx.master, order.family === 'v1' ? V1_NAMES : V2_NAMES),
    createdAt: order.createdAt,
    modifiedAt: order.modifiedAt,
    modifications: order.modifications,
    audited: order.audited,
  };
}

/** What the admin routes drive beyond the shared context. */
export interface AdminHooks {
  defaultAccountId: string;
  setFaults(patch: Record<string, unknown>): unknown;
  faults(): unknown;
  rotateSecret(): string;
  expireTokens(): void;
  reset(): void;
}

type AdminHandler = RouteHandler<
  [req: IncomingMessage, res: ServerResponse, url: URL, match: RegExpExecArray]
>;

const jsonBody = async (req: IncomingMessage) =>
  JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;

export class AdminRoutes {
  private readonly table: Array<[string, RegExp, AdminHandler]>;

  constructor(
    private readonly ctx: SandboxContext,
    private readonly hooks: AdminHooks,
  ) {
    this.table = [
      ['GET', /^\/__sandbox\/orders$/, (_q, res, url) => send(res, 200, { orders: this.orders(url) })],
      ['GET', /^\/__sandbox\/stats$/, (_q, res) => send(res, 200, this.ctx.stats.value)],
      ['GET', /^\/__sandbox\/call-times$/, (_q, res, url) => send(res, 200, this.callTimes(url))],
      [
        'POST',
        /^\/__sandbox\/stats\/reset$/,
        (_q, res) => (this.ctx.stats.reset(), send(res, 200, ctx.stats.value)),
      ],
      ['GET', /^\/__sandbox\/faults$/, (_q, res) => send(res, 200, this.hooks.faults())],
      [
        'POST',
        /^\/__sandbox\/faults$/,
        (req, res) => this.withBody(req, res, (b) => this.hooks.setFaults(b)),
      ],
      ['POST', /^\/__sandbox\/orders\/([^/]+)\/audit$/, (_q, res, url, m) => this.audit(res, url, m)],
      ['POST', /^\/__sandbox\/reset$/, (_q, res) => (this.hooks.reset(), send(res, 200, { ok: true }))],
      [
        'POST',
        /^\/__sandbox\/rotate-secret$/,
        (_q, res) => send(res, 200, { appSecret: this.hooks.rotateSecret() }),
      ],
      [
        'POST',
        /^\/__sandbox\/expire-tokens$/,
        (_q, res) => (this.hooks.expireTokens(), send(res, 200, { ok: true })),
      ],
      ['GET', /^\/__sandbox\/master-data$/, (_q, res) => send(res, 200, this.masterData())],
      [
        'POST',
        /^\/__sandbox\/master-data$/,
        (req, res) => this.withBody(req, res, (b) => this.loadMaster(b)),
      ],
      [
        'DELETE',
        /^\/__sandbox\/master-data\/(customers|materials|stores)\/([^/]+)$/,
        (_q, res, _u, m) => this.remove(res, m),
      ],
    ];
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    for (const [method, pattern, handler] of this.table) {
      const match = pattern.exec(url.pathname);
      if (match && req.method === method) return handler(req, res, url, match);
    }
    send(res, 404, { error: `no sandbox route ${req.method} ${url.pathname}` });
  }

  private book(url: URL): OrderBook | undefined {
    return this.ctx.books.get(url.searchParams.get('accountId') ?? this.hooks.defaultAccountId);
  }

  /** Arrival and admission times (epoch ms) of every business call of an account set (both families). */
  private callTimes(url: URL) {
    const accountId = url.searchParams.get('accountId') ?? this.hooks.defaultAccountId;
    return { accountId, ...this.ctx.callTimes(accountId) };
  }

  private orders(url: URL) {
    return (this.book(url)?.list() ?? []).map((order) => adminOrderView(order, this.ctx));
  }

  private async withBody(
    req: IncomingMessage,
    res: ServerResponse,
    apply: (body: Record<string, unknown>) => unknown,
  ) {
    try {
      send(res, 200, apply(await jsonBody(req)));
    } catch (error) {
      send(res, 400, { error: (error as Error).message });
    }
  }

  private audit(res: ServerResponse, url: URL, match: RegExpExecArray) {
    const order = this.book(url)?.audit(decodeURIComponent(match[1]));
    if (order) send(res, 200, adminOrderView(order, this.ctx));
    else send(res, 404, { error: 'order not found' });
  }

  private masterData() {
    const m = this.ctx.master;
    return {
      customers: [...m.customers.values()],
      materials: [...m.materials.values()].map(materialView),
      stores: [...m.stores.values()],
    };
  }

  private loadMaster(patch: Record<string, unknown>) {
    const full = { customers: [], materials: [], stores: [], ...patch } as Partial<MasterDataFixture>;
    this.ctx.master.loadMasterData(validateFixture(full, 'request'));
    return this.masterData();
  }

  private remove(res: ServerResponse, match: RegExpExecArray) {
    const removed = this.ctx.master.removeMasterData(match[1] as MasterKind, decodeURIComponent(match[2]));
    send(res, removed ? 200 : 404, { removed });
  }
}
