import { type SandboxStats, type XingchenSandbox } from './xingchen-sandbox';

/**
 * The `XINGCHEN_*` variables a loader (or the CLI, or a benchmark) is given to reach this sandbox's
 * default account set through one API family. V2 fetches its app key and (rotating) secret through
 * `push_app_authorize` unless `v2Credentials: 'static'` asks for the three static values.
 */
export function xingchenClientEnvFor(
  sandbox: XingchenSandbox,
  family: 'v1' | 'v2',
  options: { v2Credentials?: 'authorize' | 'static' } = {},
): Record<string, string> {
  const { v1, v2 } = sandbox.credentials;
  if (family === 'v1')
    return {
      XINGCHEN_API: 'v1',
      XINGCHEN_BASE_URL: sandbox.url,
      XINGCHEN_CLIENT_ID: v1.clientId,
      XINGCHEN_CLIENT_SECRET: v1.clientSecret,
      XINGCHEN_USERNAME: v1.username,
      XINGCHEN_PASSWORD: v1.password,
      XINGCHEN_ACCOUNT_ID: v1.accountId,
    };
  const common = {
    XINGCHEN_API: 'v2',
    XINGCHEN_BASE_URL: sandbox.url,
    XINGCHEN_CLIENT_ID: v2.clientId,
    XINGCHEN_CLIENT_SECRET: v2.clientSecret,
  };
  return options.v2Credentials === 'static'
    ? {
        ...common,
        XINGCHEN_APP_KEY: v2.appKey,
        XINGCHEN_APP_SECRET: v2.appSecret,
        XINGCHEN_DOMAIN: v2.domain,
      }
    : { ...common, XINGCHEN_OUTER_INSTANCE_ID: v2.outerInstanceId };
}

/** `sal_order_save` calls by outcome, both families' routes (`v1.sal_order_save`, `v2.sal_order_save`) together. */
export function saveCallsOf(stats: Pick<SandboxStats, 'calls'>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const route of ['v1.sal_order_save', 'v2.sal_order_save'])
    for (const [outcome, n] of Object.entries(stats.calls[route] ?? {}))
      counts[outcome] = (counts[outcome] ?? 0) + n;
  return counts;
}
