import { randomInt } from 'node:crypto';
import { FatalError, RetriableError, type ApiOutcome, type SyncError } from '@app/contracts';
import { type Logger, type Metrics } from '@app/observability';
import { backoffDelay, Semaphore, systemClock, type Clock, type RateLimiter } from '@app/runtime';
import {
  createHttpTransport,
  TransportFailureError,
  type HttpResponse,
  type HttpTransport,
} from './http-transport';
import { recordXingchenExchange } from './exchange-capture';
import { asRecord, str, type Json } from './json';
import { parseRetryAfter } from './retry-after';
import { createXingchenLimiter, type SharedQuotaOptions } from './shared-quota';
import { type XingchenApiFamily } from './sales-order';
import { TOKEN_FAILURE_BACKOFF } from './token-manager';
import {
  errorFor,
  ruleFor,
  transportError,
  XingchenTokenRejectedError,
  type ErrorRule,
  type XingchenOperation,
} from './xingchen-errors';
import { type QueryParams } from './xingchen-signer';
import { type XingchenClientConfig } from './xingchen.types';

export interface XingchenClientDeps {
  transport?: HttpTransport;
  clock?: Clock;
  logger?: Logger;
  /** Nonce source of the V2 gateway signature (tests pin it). */
  nonce?: () => string;
  /** The account set's budget shared by every process (docs/quota.md); without it, a per-process limiter. */
  sharedQuota?: SharedQuotaOptions;
}

/** One request as a family describes it, before the family's authentication is added. */
export interface WireCall {
  operation: XingchenOperation;
  method: 'GET' | 'POST';
  path: string;
  query?: QueryParams;
  body?: unknown;
  /** Business call: authenticated with the family's token, holds a concurrency slot, counted against the quota. */
  business: boolean;
}

/** What a family's reader makes of an HTTP 200 body. */
export type Reading =
  | { ok: true; data: unknown }
  | { ok: false; refused: true; errcode?: number | string; detail?: string }
  | { ok: false; refused: false; detail: string };

/** What the shared core needs from a family: its token, its request decoration and its answer envelope. */
export interface FamilyWire {
  readonly family: XingchenApiFamily;
  /** The token of a business call (shared, renewed by the family's TokenManager). */
  token(): Promise<string>;
  /** Drops a token the gateway refused (unless already replaced). */
  invalidate(token: string): void;
  /** Headers and query of the request: the family's authentication and content type. */
  decorate(
    call: WireCall,
    token: string | undefined,
  ): { headers: Record<string, string>; query: QueryParams };
  /** The family's HTTP 200 envelope. */
  read(operation: XingchenOperation, body: Json): Reading;
}

type Answer =
  { ok: true; data: unknown } | { ok: false; error: SyncError; outcome: ApiOutcome; rule?: ErrorRule };

/**
 * What both families share: the HTTP transport, the quota limiter and the concurrency cap, the
 * metrics, the error mapping through the one table, and the one repetition of a call whose token
 * was refused. It knows no paths and no field names.
 */
export class XingchenCore {
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly nonce: () => string;
  private readonly transport: HttpTransport & { close?: () => void };
  private readonly limiter: RateLimiter;
  private readonly rate: () => number;
  private readonly closeQuota?: () => Promise<void> | void;
  private readonly concurrency: Semaphore;
  private readonly baseUrl: string;

  constructor(
    readonly config: XingchenClientConfig,
    private readonly metrics: Metrics,
    deps: XingchenClientDeps = {},
  ) {
    this.transport = deps.transport ?? createHttpTransport({ maxSockets: config.maxConcurrency });
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger;
    this.nonce = deps.nonce ?? (() => String(randomInt(1_000_000_000, 10_000_000_000)));
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    const { limiter, rate } = createXingchenLimiter(
      config,
      metrics,
      this.clock,
      this.logger,
      deps.sharedQuota,
    );
    this.limiter = limiter;
    this.rate = rate;
    this.closeQuota = deps.sharedQuota?.close;
    this.concurrency = new Semaphore(config.maxConcurrency);
  }

  get currentRate(): number {
    return this.rate();
  }

  close(): void {
    this.transport.close?.();
    void Promise.resolve(this.closeQuota?.()).catch(() => undefined);
  }

  /**
   * How long a failed token request is handed to every caller instead of being repeated: wrong
   * credentials a minute (one clear error, not a login storm), throttled or failed 1 s doubling to 30 s.
   */
  readonly failureHoldMs = (error: unknown, consecutive: number): number =>
    error instanceof FatalError
      ? 60_000
      : Math.max(
          (error as RetriableError).retryAfterMs ?? 0,
          backoffDelay(consecutive, TOKEN_FAILURE_BACKOFF),
        );

  malformed(operation: XingchenOperation, detail: string): SyncError {
    return errorFor(ruleFor({ status: 200 }), { operation, status: 200, detail });
  }

  /** A business call; when the gateway refuses the token, the family renews it once and the call is repeated once. */
  async call(wire: FamilyWire, call: WireCall): Promise<unknown> {
    const used: { token?: string } = {};
    try {
      return await this.send(wire, call, used);
    } catch (error) {
      if (!(error instanceof XingchenTokenRejectedError)) throw error;
      if (used.token) wire.invalidate(used.token);
      this.logger?.info(
        { operation: call.operation, family: wire.family, reason: error.reason },
        'xingchen token refused, renewing it once',
      );
      return this.send(wire, call, {});
    }
  }

  /**
   * One HTTP exchange. A business call first takes a concurrency slot and a rate token, then the
   * family's token (taken last, so that a call queued behind the quota never leaves with a stale
   * token). Authentication calls take neither (one request at most, and they must not wait for
   * the slots of the calls waiting for them).
   */
  async send(wire: FamilyWire, call: WireCall, used: { token?: string } = {}): Promise<unknown> {
    const release = call.business ? await this.concurrency.acquire() : () => undefined;
    try {
      let token: string | undefined;
      if (call.business) {
        await this.limiter.acquire();
        token = await wire.token();
        used.token = token;
      }
      const started = this.clock.now();
      const answer = await this.exchange(wire, call, token);
      const seconds = (this.clock.now() - started) / 1000;
      const outcome: ApiOutcome = answer.ok ? 'success' : answer.outcome;
      this.metrics.xingchenRequests.labels(call.operation, outcome).inc();
      this.metrics.xingchenDuration.labels(call.operation, outcome).observe(seconds);
      if (answer.ok) {
        if (call.business) this.limiter.onSuccess();
        return answer.data;
      }
      if (answer.rule?.throttle && call.business)
        this.limiter.onThrottled((answer.error as RetriableError).retryAfterMs);
      const fields = {
        operation: call.operation,
        family: wire.family,
        reason: answer.error.reason,
        code: answer.error.code,
      };
      if (answer.error instanceof FatalError) this.logger?.error(fields, answer.error.message);
      else this.logger?.warn(fields, 'xingchen call failed');
      throw answer.error;
    } finally {
      release();
    }
  }

  private async exchange(wire: FamilyWire, call: WireCall, token: string | undefined): Promise<Answer> {
    const { headers, query } = wire.decorate(call, token);
    const search = new URLSearchParams(query).toString().replace(/\+/g, '%20');
    const url = `${this.baseUrl}${call.path}${search ? `?${search}` : ''}`;
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const exchange = {
      operation: call.operation,
      method: call.method,
      path: call.path,
      requestBody: body ?? null,
    };
    let response: HttpResponse;
    try {
      response = await this.transport({
        method: call.method,
        url,
        headers: { Accept: 'application/json', ...headers },
        body,
        timeoutMs: this.config.requestTimeoutMs,
      });
    } catch (error) {
      if (!(error instanceof TransportFailureError)) throw error;
      if (call.business) recordXingchenExchange({ ...exchange, status: null, responseBody: null });
      const { error: mapped, outcome } = transportError(call.operation, error);
      return { ok: false, error: mapped, outcome };
    }
    // authentication calls carry credentials: only business calls are kept
    if (call.business)
      recordXingchenExchange({ ...exchange, status: response.status, responseBody: response.body });
    return this.interpret(wire, call.operation, response);
  }

  private interpret(wire: FamilyWire, operation: XingchenOperation, response: HttpResponse): Answer {
    let body: Json | undefined;
    try {
      body = asRecord(JSON.parse(response.body));
    } catch {
      body = undefined;
    }
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], this.clock.now());
    const fail = (
      rule: ErrorRule,
      code: number | string | undefined,
      detail: string | undefined,
    ): Answer => ({
      ok: false,
      error: errorFor(rule, {
        operation,
        status: response.status,
        code,
        detail: detail?.slice(0, 300),
        retryAfterMs,
      }),
      outcome: rule.outcome,
      rule,
    });
    if (response.status === 200) {
      if (!body) return fail(ruleFor({ status: 200 }), undefined, 'answer is not a JSON object');
      const reading = wire.read(operation, body);
      if (reading.ok) return reading;
      if (!reading.refused) return fail(ruleFor({ status: 200 }), undefined, reading.detail);
      const rule = ruleFor({
        status: 200,
        refused: true,
        errcode: reading.errcode,
        operation,
        family: wire.family,
      });
      return fail(rule, reading.errcode, reading.detail);
    }
    // a 519 gateway error carries code/description_cn (legacy kernel) or errcode/description (Java SDK)
    const rawCode = response.status === 519 ? Number(body?.code ?? body?.errcode) : NaN;
    const code = Number.isFinite(rawCode) ? rawCode : undefined;
    const rule = ruleFor({ status: response.status, code, operation, family: wire.family });
    const detail = str(body?.description_cn ?? body?.description ?? body?.message ?? body?.msg);
    return fail(rule, code ?? str(body?.code), detail);
  }
}
