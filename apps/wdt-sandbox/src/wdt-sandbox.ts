import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WDT_SANDBOX_DEFAULTS } from '@app/config';
import { closeServer, listenOn } from '@app/sandbox-catalog';
import { applyFaults, handleAdmin } from './admin-routes';
import {
  type SandboxFaults,
  type SandboxStats,
  type WdtSandbox,
  type WdtSandboxContext,
  type WdtSandboxOptions,
} from './sandbox-types';
import { seededRandom } from '@app/runtime';
import { generateTradeTimelines, type SandboxTrade } from './trade-generator';
import { handleTradeQuery, MinuteQuota, QUERY_PATHS } from './trade-query-routes';
import { filedUnder, TradeStore } from './trade-store';
import { sendWdt } from './wdt-http';

export {
  SANDBOX_PARAMETER_ERROR_CODE,
  type PageServedEvent,
  type SandboxCredentials,
  type SandboxFaults,
  type SandboxStats,
  type WdtSandbox,
  type WdtSandboxOptions,
} from './sandbox-types';

const DEFAULT_FAULTS: SandboxFaults = {
  latencyMs: 0,
  errorRate: 0,
  serverErrorRate: 0,
  rateLimitPerMinute: 60,
  malformedRate: 0,
};

/** The fixture's trades, or generated ones. */
function storeOf(options: WdtSandboxOptions, clock: () => number): TradeStore {
  const store = new TradeStore();
  if (options.trades) store.upsert(options.trades);
  else {
    const g = options.generator ?? {};
    const timelines = generateTradeTimelines({
      seed: g.seed ?? 42,
      count: g.count ?? 2000,
      endMs: g.endMs ?? clock(),
      historySeconds: g.historySeconds ?? 86400,
      settled: g.settled ?? false,
    });
    for (const timeline of timelines) store.setTimeline(timeline);
  }
  return store;
}

function contextOf(options: WdtSandboxOptions): WdtSandboxContext {
  const clock = options.clock ?? Date.now;
  const stats: SandboxStats = {
    calls: 0,
    accepted: 0,
    rateLimited: 0,
    injectedErrors: 0,
    authFailures: 0,
    parameterErrors: 0,
  };
  return {
    options,
    credentials: { ...WDT_SANDBOX_DEFAULTS, ...options.credentials },
    store: storeOf(options, clock),
    clock,
    stats,
    maxSpanSeconds: options.maxSpanSeconds ?? 3600,
    maxSkewMs: (options.maxSkewSeconds ?? 300) * 1000,
    archiveAfterMs: (options.archiveAfterDays ?? 90) * 86_400_000,
    faultRandom: seededRandom(options.faultSeed ?? 7),
    faults: { ...DEFAULT_FAULTS, ...options.faults },
  };
}

/**
 * A faithful local stand-in for WDT's order query: `POST /router/qm` (Qimen) and
 * `POST /openapi2/trade_query.php` (native), with the contract's signatures, timestamp skew, window,
 * paging, filters, look-up mode and call quota (trade-query-routes.ts, gateway-auth.ts); plus
 * `/__sandbox/*` to inspect and steer it (admin-routes.ts).
 */
export function createWdtSandbox(options: WdtSandboxOptions = {}): WdtSandbox {
  const ctx = contextOf(options);
  const quota = new MinuteQuota();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    if (path === '/health' || path === '/health/live' || path === '/health/ready')
      return sendWdt(response, 200, { status: 'ok' });
    if (QUERY_PATHS.has(path)) return handleTradeQuery(ctx, quota, request, response, url);
    if (await handleAdmin(ctx, request, response, path)) return;
    return sendWdt(response, 404, { error: `no route ${request.method ?? ''} ${path}` });
  }

  let server: Server | undefined;
  let port = 0;
  return {
    store: ctx.store,
    credentials: ctx.credentials,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    async listen(listenPort = 0, host = '127.0.0.1') {
      server = createServer((request, response) => {
        handle(request, response).catch((error: unknown) => {
          if (!response.headersSent)
            sendWdt(response, 400, { error: error instanceof Error ? error.message : String(error) });
          else response.destroy();
        });
      });
      server.keepAliveTimeout = 65_000;
      port = await listenOn(server, listenPort, host);
      return this.url;
    },
    async close() {
      if (!server) return;
      await closeServer(server);
      server = undefined;
    },
    faults: () => ({ ...ctx.faults }),
    setFaults(partial) {
      const problem = applyFaults(ctx, partial);
      if (problem) throw new RangeError(problem);
      return { ...ctx.faults };
    },
    stats: () => ({ ...ctx.stats }),
    now: () => ctx.clock(),
  };
}

/** Parses a fixture file's content: `{"trades": [...]}` in the response shape. */
export function parseFixture(text: string): SandboxTrade[] {
  const parsed = JSON.parse(text) as { trades?: unknown };
  if (!Array.isArray(parsed.trades)) throw new Error('a WDT sandbox fixture is {"trades": [...]}');
  for (const [index, trade] of parsed.trades.entries()) {
    const t = trade as Partial<SandboxTrade> | null;
    if (typeof t?.trade_no !== 'string' || filedUnder(t as SandboxTrade) === '') {
      throw new Error(
        `fixture trades[${index}] needs trade_no and modified (a broken trade without modified: created)`,
      );
    }
  }
  return parsed.trades as SandboxTrade[];
}
