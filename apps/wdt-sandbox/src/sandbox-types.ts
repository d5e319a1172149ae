import { type WdtClientOptions } from '@app/wdt-client';
import { type SandboxTrade } from './trade-generator';
import { type TradeFilter, type TradeStore } from './trade-store';

/** The credentials the sandbox accepts: the same fields the WDT client is configured with. */
export type SandboxCredentials = Pick<
  WdtClientOptions,
  'sid' | 'appKey' | 'appSecret' | 'qimenAppKey' | 'qimenSecret' | 'targetAppKey'
>;

/** Behaviour that tests change at run time (`POST /__sandbox/faults`). */
export interface SandboxFaults {
  /** Delay before every API answer. */
  latencyMs: number;
  /** Share of API calls answered with code 1012 (called too often), on top of the quota. */
  errorRate: number;
  /** Share of API calls answered with HTTP 502. */
  serverErrorRate: number;
  /** Accepted calls per sliding minute; more are answered with 1012. */
  rateLimitPerMinute: number;
  /** Share of trades served truly broken (first line without spec_no, or goods_list not a list); stable per trade version. */
  malformedRate: number;
}

export interface SandboxStats {
  calls: number;
  accepted: number;
  rateLimited: number;
  injectedErrors: number;
  authFailures: number;
  parameterErrors: number;
}

export interface PageServedEvent {
  route: 'qimen' | 'openapi';
  filter: TradeFilter;
  pageNo: number;
  pageSize: number;
  totalCount: number;
  tradeNos: string[];
}

export interface WdtSandboxOptions {
  credentials?: Partial<SandboxCredentials>;
  /** Fixed trades (a fixture) instead of generated ones. */
  trades?: SandboxTrade[];
  /** Generated trades (ignored when `trades` is given). */
  generator?: { seed?: number; count?: number; endMs?: number; historySeconds?: number; settled?: boolean };
  maxSpanSeconds?: number;
  maxSkewSeconds?: number;
  /**
   * Trades filed (modified) longer ago than this are archived: the native route serves them only
   * from `his_trade_query.php`, as WDT does (default 90 days, a decision). Qimen serves everything.
   */
  archiveAfterDays?: number;
  faults?: Partial<SandboxFaults>;
  /** The sandbox's "now" (trade visibility, timestamp skew); tests move it. Default Date.now. */
  clock?: () => number;
  /** Randomness of the injected faults. */
  faultSeed?: number;
  /** Called after a page was computed, before it is answered (tests modify trades "while paging"). */
  onPageServed?: (event: PageServedEvent) => void | Promise<void>;
}

export interface WdtSandbox {
  readonly store: TradeStore;
  readonly credentials: SandboxCredentials;
  /** `http://127.0.0.1:<port>` once listening. */
  readonly url: string;
  readonly port: number;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  faults(): SandboxFaults;
  setFaults(faults: Partial<SandboxFaults>): SandboxFaults;
  stats(): SandboxStats;
  now(): number;
}

/** Parameter errors: the sandbox's choice of code (WDT's exact code is not public). */
export const SANDBOX_PARAMETER_ERROR_CODE = 40;

/** An answer of the API routes: a body and its HTTP status. */
export class ApiAnswer {
  constructor(
    readonly body: Record<string, unknown>,
    readonly status = 200,
  ) {}
}

/** What the route families share: the settings, the trades, the clock, the faults and counters. */
export interface WdtSandboxContext {
  readonly options: WdtSandboxOptions;
  readonly credentials: SandboxCredentials;
  readonly store: TradeStore;
  readonly clock: () => number;
  readonly stats: SandboxStats;
  readonly maxSpanSeconds: number;
  readonly maxSkewMs: number;
  readonly archiveAfterMs: number;
  /** Randomness of the injected faults. */
  readonly faultRandom: () => number;
  faults: SandboxFaults;
}
