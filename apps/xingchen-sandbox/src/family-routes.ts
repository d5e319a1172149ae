import { Quota, send, type ApiCall } from './http-kit';
import { type SandboxContext } from './sandbox-context';
import { type MasterKind } from './sandbox-state';

/** A route's handler: it has answered the call when it returns. */
export type RouteHandler<Args extends unknown[]> = (...args: Args) => Promise<void> | void;

const MASTER_ROUTE_NAMES: Array<[MasterKind, string]> = [
  ['customers', 'customer'],
  ['materials', 'material'],
  ['stores', 'store'],
];

/** A family's master-data routes: a list and a detail per kind, named `<kind>_list` / `<kind>_detail`. */
export function masterDataRoutes<H>(
  routeKey: (name: string, view: 'list' | 'detail') => string,
  list: (kind: MasterKind) => H,
  detail: (kind: MasterKind) => H,
): Record<string, [string, H]> {
  return Object.fromEntries(
    MASTER_ROUTE_NAMES.flatMap(([kind, name]) => [
      [routeKey(name, 'list'), [`${name}_list`, list(kind)]],
      [routeKey(name, 'detail'), [`${name}_detail`, detail(kind)]],
    ]),
  );
}

/** A refused credential request: HTTP 200 with its errcode, as both families answer it. */
export type IssueRefusal = { ok: false; errcode: number; description: string };

/** What both families' routes share: the context, their auth, and the quota of credential issues. */
export abstract class FamilyRoutes<Auth> {
  /** V1 logins or V2 app-tokens issued per minute (XINGCHEN_SANDBOX_TOKEN_RATE_LIMIT_PER_MINUTE). */
  protected readonly issueQuota: Quota;

  constructor(
    protected readonly ctx: SandboxContext,
    protected readonly auth: Auth,
  ) {
    this.issueQuota = new Quota(ctx.faults.tokenRateLimitPerMinute, ctx.now);
  }

  setIssueRate(perMinute: number): void {
    this.issueQuota.setRate(perMinute);
  }

  /**
   * A token / login issue behind the issue quota: a throttled call (429) or a refusal (HTTP 200 with
   * the errcode) is answered here and gives undefined; a grant is counted `ok`, bumped and returned.
   */
  protected issued<T extends { ok: true }>(
    call: ApiCall,
    route: string,
    issue: () => T | IssueRefusal,
    counter: 'loginsIssued' | 'tokensIssued',
  ): T | undefined {
    const { stats } = this.ctx;
    const wait = this.issueQuota.take();
    if (wait > 0) {
      stats.throttle(call.res, route, wait);
      return undefined;
    }
    const answer = issue();
    if (!answer.ok) {
      stats.count(route, `errcode_${answer.errcode}`);
      send(call.res, 200, { errcode: answer.errcode, description: answer.description });
      return undefined;
    }
    stats.count(route, 'ok');
    stats.bump(counter);
    return answer;
  }
}
