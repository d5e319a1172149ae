import { Quota } from './http-kit';
import { type SandboxContext } from './sandbox-context';

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
}
