import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOn, reachableHost } from '@app/sandbox-catalog';
import { AdminRoutes, adminOrderView } from './admin-routes';
import { sleep } from '@app/runtime';
import { readCall, send, sendGatewayError, StatsBook, type SandboxStats } from './http-kit';
import { catalogFixture, readFixtureFile, validateFixture } from './master-data';
import { OrderBook } from './order-book';
import {
  DEFAULT_FAULTS,
  normalizeFaults,
  SANDBOX_DEFAULTS,
  type AccountSet,
  type SandboxFaults,
  type XingchenSandboxOptions,
} from './sandbox-config';
import { SandboxContext } from './sandbox-context';
import { IdSource, SandboxState } from './sandbox-state';
import { V1Auth } from './v1-auth';
import { isV1Path, V1_ACCOUNT_GROUP_PATH, V1_LOGIN_PATH, V1Routes } from './v1-routes';
import { V2Auth } from './v2-auth';
import { V2_AUTHORIZE_PATH, V2_TOKEN_PATH, V2Routes } from './v2-routes';

export { DEFAULT_FAULTS, SANDBOX_DEFAULTS, normalizeFaults } from './sandbox-config';
export type { AccountSet, FaultsPatch, SandboxFaults, XingchenSandboxOptions } from './sandbox-config';
export type { SandboxStats } from './http-kit';

/** Everything a client needs, per family (`v2.appSecret` is the current one: it changes on rotation). */
export interface SandboxCredentials {
  v1: {
    clientId: string;
    clientSecret: string;
    username: string;
    password: string;
    accountId: string;
    groupName: string;
    accountSets: AccountSet[];
  };
  v2: {
    clientId: string;
    clientSecret: string;
    appKey: string;
    readonly appSecret: string;
    domain: string;
    outerInstanceId: string;
  };
}

export type AdminOrder = ReturnType<typeof adminOrderView>;

export interface XingchenSandbox {
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
  readonly url: string;
  readonly port: number;
  /** The master data (shared by every account set). */
  readonly state: SandboxState;
  readonly credentials: SandboxCredentials;
  faults(): SandboxFaults;
  setFaults(patch: Partial<SandboxFaults> | Record<string, unknown>): SandboxFaults;
  stats(): SandboxStats;
  resetStats(): void;
  /** Stored orders of an account set (default: the default one), as `GET /__sandbox/orders` lists them. */
  orders(accountId?: string): AdminOrder[];
  rotateSecret(): string;
  expireTokens(): void;
  /** Arrival and admission times of the business calls of an account set, as `GET /__sandbox/call-times`. */
  callTimes(accountId?: string): { arrived: number[]; admitted: number[] };
}

function settingsOf(options: XingchenSandboxOptions) {
  const d = SANDBOX_DEFAULTS;
  const main: AccountSet = {
    accountId: options.accountId ?? d.accountId,
    groupName: options.groupName ?? d.groupName,
    accountName: d.accountName,
  };
  const accountSets = [main, ...(options.extraAccountSets ?? [])];
  const ids = new Set(accountSets.map((s) => s.accountId));
  if (ids.size !== accountSets.length) throw new Error('account sets must have distinct accountIds');
  const clientId = options.clientId ?? d.clientId;
  const clientSecret = options.clientSecret ?? d.clientSecret;
  const v1 = {
    clientId,
    clientSecret,
    username: options.username ?? d.username,
    password: options.password ?? d.password,
  };
  const v2 = {
    clientId,
    clientSecret,
    appKey: options.appKey ?? d.appKey,
    appSecret: options.appSecret ?? d.appSecret,
    domain: options.domain ?? d.domain,
    outerInstanceId: options.outerInstanceId ?? d.outerInstanceId,
    accountId: main.accountId,
    groupName: main.groupName,
    accountName: main.accountName ?? '',
    secretRotationSeconds: options.secretRotationSeconds ?? d.secretRotationSeconds,
  };
  return { main, accountSets, v1, v2 };
}

const fixtureOf = (options: XingchenSandboxOptions) =>
  typeof options.fixture === 'string'
    ? readFixtureFile(options.fixture)
    : options.fixture
      ? validateFixture(options.fixture)
      : catalogFixture();

/** The Kingdee gateway + Xingchen stand-in serving V1 (legacy) and V2 (open platform) at once. */
export function createXingchenSandbox(options: XingchenSandboxOptions = {}): XingchenSandbox {
  const now = options.now ?? Date.now;
  const { main, accountSets, v1, v2 } = settingsOf(options);
  let faults = normalizeFaults(DEFAULT_FAULTS, options.faults ?? {});
  const master = new SandboxState(fixtureOf(options));
  const orderIds = new IdSource('20');
  const entryIds = new IdSource('21');
  const books = new Map(accountSets.map((s) => [s.accountId, new OrderBook(orderIds, entryIds, now)]));
  const stats = new StatsBook(now);
  const ctx = new SandboxContext(master, books, stats, () => faults, now, options.random ?? Math.random);
  const v1Auth = new V1Auth(v1, accountSets, now, () => faults.v1TokenTtlSeconds);
  const v2Auth = new V2Auth(v2, now, () => faults.tokenTtlSeconds);
  const v1Routes = new V1Routes(ctx, v1Auth);
  const v2Routes = new V2Routes(ctx, v2Auth);
  const expireTokens = () => (v1Auth.expireAll(), v2Auth.expireAll());
  const setFaults = (patch: Record<string, unknown>) => {
    faults = normalizeFaults(faults, patch);
    ctx.setRate(faults.rateLimitPerMinute);
    v2Routes.setIssueRate(faults.tokenRateLimitPerMinute);
    v1Routes.setIssueRate(faults.tokenRateLimitPerMinute);
    return faults;
  };
  const reset = () => {
    for (const book of books.values()) book.clear();
    v1Auth.clear();
    v2Auth.clear();
    stats.reset();
    ctx.clearCallTimes();
  };
  const admin = new AdminRoutes(ctx, {
    defaultAccountId: main.accountId,
    setFaults,
    faults: () => faults,
    rotateSecret: () => v2Auth.rotate(),
    expireTokens,
    reset,
  });
  v1Routes.setIssueRate(faults.tokenRateLimitPerMinute);

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const call = await readCall(req, res, url);
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    const path = url.pathname;
    const routedToV2 = call.headers['x-gw-router-addr'] !== undefined;
    if (path === V1_LOGIN_PATH) return v1Routes.login(call);
    if (path === V1_ACCOUNT_GROUP_PATH && !routedToV2) return v1Routes.accountGroup(call);
    if (isV1Path(path)) return v1Routes.business(call, routedToV2);
    if (path === V2_TOKEN_PATH) return v2Routes.token(call);
    if (path === V2_AUTHORIZE_PATH) return v2Routes.authorize(call);
    if (path.startsWith('/jdy/v2/')) return v2Routes.business(call);
    stats.count('unknown', 'gw_5001');
    sendGatewayError(res, 5001, `API 不存在: ${path}`);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (req.method === 'GET' && (url.pathname === '/health/live' || url.pathname === '/health/ready')) {
      send(res, 200, { status: 'ok' });
      return;
    }
    const work = url.pathname.startsWith('/__sandbox/') ? admin.handle(req, res, url) : api(req, res, url);
    work.catch((error: unknown) => send(res, 500, { error: (error as Error).message }));
  });
  server.keepAliveTimeout = 30_000;
  return sandboxHandle(server, ctx, {
    state: master,
    credentials: credentialsOf(v1, main, accountSets, v2, v2Auth),
    faults: () => faults,
    setFaults,
    stats: () => stats.value,
    resetStats: () => stats.reset(),
    orders: (accountId = main.accountId) =>
      (books.get(accountId)?.list() ?? []).map((order) => adminOrderView(order, ctx)),
    rotateSecret: () => v2Auth.rotate(),
    expireTokens,
    callTimes: (accountId = main.accountId) => {
      const times = ctx.callTimes(accountId);
      return { arrived: [...times.arrived], admitted: [...times.admitted] };
    },
  });
}

function credentialsOf(
  v1: { clientId: string; clientSecret: string; username: string; password: string },
  main: AccountSet,
  accountSets: AccountSet[],
  v2: { clientId: string; clientSecret: string; appKey: string; domain: string; outerInstanceId: string },
  v2Auth: V2Auth,
): SandboxCredentials {
  return {
    v1: {
      ...v1,
      accountId: main.accountId,
      groupName: main.groupName,
      accountSets: accountSets.map((s) => ({ ...s })),
    },
    v2: {
      clientId: v2.clientId,
      clientSecret: v2.clientSecret,
      appKey: v2.appKey,
      get appSecret() {
        return v2Auth.currentSecret();
      },
      domain: v2.domain,
      outerInstanceId: v2.outerInstanceId,
    },
  };
}

type HandleParts = Omit<XingchenSandbox, 'listen' | 'close' | 'url' | 'port'>;

function sandboxHandle(server: Server, ctx: SandboxContext, parts: HandleParts): XingchenSandbox {
  let address: { port: number; url: string } | undefined;
  const bound = () => {
    if (!address) throw new Error('sandbox is not listening');
    return address;
  };
  return {
    ...parts,
    get url() {
      return bound().url;
    },
    get port() {
      return bound().port;
    },
    async listen(port = 0, host = '127.0.0.1') {
      const actual = await listenOn(server, port, host);
      address = { port: actual, url: `http://${reachableHost(host)}:${actual}` };
      return address;
    },
    close() {
      for (const res of ctx.hanging) res.destroy();
      ctx.hanging.clear();
      return closeServer(server);
    },
  };
}
export { saveCallsOf, xingchenClientEnvFor } from './client-env';
