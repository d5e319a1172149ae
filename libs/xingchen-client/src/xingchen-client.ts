import { randomInt } from 'node:crypto';
import { FatalError, RetriableError, type ApiOutcome, type SyncError } from '@app/contracts';
import { type Logger, type Metrics } from '@app/observability';
import {
  createHttpTransport,
  TransportFailureError,
  type HttpResponse,
  type HttpTransport,
} from './http-transport';
import { AdaptiveRateLimiter, parseRetryAfter, Semaphore, systemClock, type Clock } from './rate-limiter';
import { TokenManager, type IssuedToken } from './token-manager';
import {
  errorFor,
  ruleFor,
  transportError,
  XingchenTokenRejectedError,
  type ErrorRule,
  type XingchenOperation,
} from './xingchen-errors';
import { appSignature, gatewayHeaders, type QueryParams } from './xingchen-signer';
import {
  type SalesOrderBody,
  type SaveResult,
  type XingchenClientConfig,
  type XingchenCustomer,
  type XingchenMaterial,
  type XingchenSalesOrderSummary,
  type XingchenStore,
} from './xingchen.types';

export const XingchenPaths = {
  token: '/jdyconnector/app_management/kingdee_auth_token',
  salOrderSave: '/jdy/sal/sal_order_save',
  salOrderList: '/jdy/v2/scm/sal_order',
  salOrderDetail: '/jdy/v2/scm/sal_order_detail',
  customerDetail: '/jdy/v2/bd/customer_detail',
  materialDetail: '/jdy/v2/bd/material_detail',
  storeDetail: '/jdy/v2/bd/store_detail',
} as const;

export interface XingchenClientDeps {
  transport?: HttpTransport;
  clock?: Clock;
  logger?: Logger;
  /** Nonce source (tests pin it). */
  nonce?: () => string;
}

interface CallSpec {
  operation: XingchenOperation;
  method: 'GET' | 'POST';
  path: string;
  query?: QueryParams;
  body?: unknown;
  /** Business call: app-token + router headers, counted against the quota. */
  business: boolean;
}

type Json = Record<string, unknown>;

/** What a parsed answer amounts to. */
type Answer =
  | { ok: true; data: unknown }
  | { ok: false; notFound: true }
  | { ok: false; notFound: false; error: SyncError; outcome: ApiOutcome; rule?: ErrorRule };

const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
const asRecord = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const enabled = (value: unknown): boolean =>
  value === undefined || value === true || value === 1 || value === '1' || value === 'true';

/**
 * 金蝶云星辰 open API client for one tenant: gateway signing, a shared app-token, flow control
 * below the quota, and error mapping through the one table of xingchen-errors.ts.
 * Knows nothing of Kafka or the database.
 */
export class XingchenClient {
  readonly tokens: TokenManager;
  private readonly transport: HttpTransport & { close?: () => void };
  private readonly limiter: AdaptiveRateLimiter;
  private readonly concurrency: Semaphore;
  private readonly clock: Clock;
  private readonly logger?: Logger;
  private readonly nonce: () => string;
  private readonly baseUrl: string;

  constructor(
    private readonly config: XingchenClientConfig,
    private readonly metrics: Metrics,
    deps: XingchenClientDeps = {},
  ) {
    this.transport = deps.transport ?? createHttpTransport({ maxSockets: config.maxConcurrency });
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger;
    this.nonce = deps.nonce ?? (() => String(randomInt(1_000_000_000, 10_000_000_000)));
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    const headroom = (100 - (config.rateHeadroomPercent ?? 5)) / 100;
    this.limiter = new AdaptiveRateLimiter(
      { ratePerSecond: (config.rateLimitPerMinute / 60) * headroom },
      this.clock,
    );
    this.concurrency = new Semaphore(config.maxConcurrency);
    this.tokens = new TokenManager(() => this.requestToken(), {
      refreshMarginMs: config.tokenRefreshMarginMs,
      now: () => this.clock.now(),
      // wrong credentials or clock: one request, one clear error for every caller, not a loop;
      // a throttled or failed token request is not repeated per caller either
      failureHoldMs: (error, consecutive) =>
        error instanceof FatalError
          ? 60_000
          : Math.max(
              (error as RetriableError).retryAfterMs ?? 0,
              Math.min(30_000, 1000 * 2 ** (consecutive - 1)),
            ),
    });
  }

  /** Current client-side rate (calls/s); lower than the target after throttled answers. */
  get currentRate(): number {
    return this.limiter.currentRate;
  }

  close(): void {
    this.transport.close?.();
  }

  /** `sal_order_save`: creates the order, or modifies it when `body.id` is set. */
  async saveSalesOrder(body: SalesOrderBody): Promise<SaveResult> {
    const data = await this.call({
      operation: 'sal_order_save',
      method: 'POST',
      path: XingchenPaths.salOrderSave,
      body,
      business: true,
    });
    const record = asRecord(data);
    const ids = record?.ids ?? record?.successPkIds;
    const id = Array.isArray(ids) ? str(ids[0]) : undefined;
    if (!id) {
      // the save was accepted but we cannot tell which order it is: as ambiguous as a timeout
      throw errorFor(
        { kind: 'retriable', reason: 'malformed_response', outcome: 'server_error' },
        {
          operation: 'sal_order_save',
          status: 200,
          detail: 'success answer without an id',
        },
      );
    }
    return { id };
  }

  async findCustomer(number: string): Promise<XingchenCustomer | null> {
    const data = await this.lookup('customer_detail', XingchenPaths.customerDetail, { number });
    return data && this.basic(data);
  }

  async findStore(number: string): Promise<XingchenStore | null> {
    const data = await this.lookup('store_detail', XingchenPaths.storeDetail, { number });
    return data && this.basic(data);
  }

  async findMaterial(number: string): Promise<XingchenMaterial | null> {
    const data = await this.lookup('material_detail', XingchenPaths.materialDetail, { number });
    if (!data) return null;
    const base = this.basic(data);
    const baseUnitId = str(data.base_unit_id);
    if (!baseUnitId) throw this.malformed('material_detail', 'material without base_unit_id');
    const unitIds = [baseUnitId];
    for (const key of ['fix_unit_id1', 'fix_unit_id2', 'fix_unit_id3']) {
      const unit = str(data[key]);
      if (unit && !unitIds.includes(unit)) unitIds.push(unit);
    }
    return { ...base, baseUnitId, unitIds };
  }

  /** The sales order with exactly this bill number, or null. */
  async findSalesOrderByBillNo(billNo: string): Promise<XingchenSalesOrderSummary | null> {
    const data = asRecord(
      await this.call({
        operation: 'sal_order_list',
        method: 'GET',
        path: XingchenPaths.salOrderList,
        query: { bill_no: billNo },
        business: true,
      }),
    );
    const rows = Array.isArray(data?.rows) ? data.rows : [];
    const matches = rows
      .map((row) => asRecord(row))
      .filter(
        (row): row is Json => str(row?.billno ?? row?.bill_no) === billNo && str(row?.id) !== undefined,
      );
    if (matches.length > 1)
      this.logger?.warn(
        { operation: 'sal_order_list', matches: matches.length },
        'several xingchen orders share one bill number',
      );
    const first = matches[0];
    return first ? { id: str(first.id)!, billno: billNo } : null;
  }

  /** One page (from 1) of the sales-order list: every order, e.g. for a reconciliation. */
  async listSalesOrders(
    page = 1,
    pageSize = 100,
  ): Promise<{ rows: XingchenSalesOrderSummary[]; totalPages: number; count: number }> {
    const data = asRecord(
      await this.call({
        operation: 'sal_order_list',
        method: 'GET',
        path: XingchenPaths.salOrderList,
        query: { page: String(page), page_size: String(pageSize) },
        business: true,
      }),
    );
    const rows = (Array.isArray(data?.rows) ? data.rows : [])
      .map((row) => asRecord(row))
      .map((row) => ({ id: str(row?.id), billno: str(row?.billno ?? row?.bill_no) }))
      .filter((row): row is XingchenSalesOrderSummary => row.id !== undefined && row.billno !== undefined);
    return {
      rows,
      totalPages: Math.max(1, Number(data?.total_page) || 1),
      count: Number(data?.count) || rows.length,
    };
  }

  /** A stored order by id (null when gone). */
  async getSalesOrder(id: string): Promise<Json | null> {
    const data = await this.lookup('sal_order_detail', XingchenPaths.salOrderDetail, { id });
    return data ?? null;
  }

  private basic(data: Json): XingchenCustomer {
    const id = str(data.id);
    const number = str(data.number);
    if (!id || !number) throw this.malformed('customer_detail', 'record without id or number');
    return { id, number, name: str(data.name) ?? '', enabled: enabled(data.enable) };
  }

  private malformed(operation: XingchenOperation, detail: string): SyncError {
    return errorFor(
      { kind: 'retriable', reason: 'malformed_response', outcome: 'server_error' },
      { operation, status: 200, detail },
    );
  }

  private async lookup(operation: XingchenOperation, path: string, query: QueryParams): Promise<Json | null> {
    const data = await this.call({ operation, method: 'GET', path, query, business: true }, true);
    if (data === null) return null;
    const record = asRecord(data);
    if (!record) throw this.malformed(operation, 'data is not an object');
    return record;
  }

  /** A business call with the token refreshed and the call repeated once when the gateway refuses the token. */
  private async call(spec: CallSpec, allowNotFound = false): Promise<unknown> {
    let refreshed = false;
    for (;;) {
      const used: { token?: string } = {};
      try {
        return await this.send(spec, allowNotFound, used);
      } catch (error) {
        if (error instanceof XingchenTokenRejectedError && !refreshed) {
          refreshed = true;
          if (used.token) this.tokens.invalidate(used.token);
          this.logger?.info(
            { operation: spec.operation, code: error.code },
            'xingchen app-token refused, refreshing once',
          );
          continue;
        }
        throw error;
      }
    }
  }

  private async requestToken(): Promise<IssuedToken> {
    const data = asRecord(
      await this.send(
        {
          operation: 'token',
          method: 'GET',
          path: XingchenPaths.token,
          query: {
            app_key: this.config.appKey,
            app_signature: appSignature(this.config.appKey, this.config.appSecret),
          },
          business: false,
        },
        false,
      ),
    );
    const token = str(data?.['app-token']);
    const expires = Number(data?.expires);
    if (!token || !Number.isFinite(expires))
      throw this.malformed('token', 'token answer without app-token or expires');
    this.logger?.info({ expiresAt: new Date(expires).toISOString() }, 'xingchen app-token issued');
    return { token, expiresAt: expires };
  }

  /**
   * One HTTP exchange; a business call first takes a concurrency slot and a rate token, then the
   * app-token (taken last, so that a call queued behind the quota never leaves with a stale token).
   * The token request itself takes neither (it is one request at most, and must not wait for
   * the slots of the calls waiting for it).
   */
  private async send(
    spec: CallSpec,
    allowNotFound: boolean,
    used: { token?: string } = {},
  ): Promise<unknown> {
    const release = spec.business ? await this.concurrency.acquire() : () => undefined;
    try {
      let token: string | undefined;
      if (spec.business) {
        await this.limiter.acquire();
        token = await this.tokens.get();
        used.token = token;
      }
      const started = this.clock.now();
      const answer = await this.exchange(spec, token);
      const seconds = (this.clock.now() - started) / 1000;
      const outcome: ApiOutcome = answer.ok || answer.notFound ? 'success' : answer.outcome;
      this.metrics.xingchenRequests.labels(spec.operation, outcome).inc();
      this.metrics.xingchenDuration.labels(spec.operation, outcome).observe(seconds);
      if (answer.ok) {
        if (spec.business) this.limiter.onSuccess();
        return answer.data;
      }
      if (answer.notFound) {
        if (allowNotFound) return null;
        throw errorFor(ruleFor({ status: 200, errcode: 1001 }), {
          operation: spec.operation,
          status: 200,
          code: 1001,
        });
      }
      if (answer.rule?.throttle && spec.business)
        this.limiter.onThrottled((answer.error as RetriableError).retryAfterMs);
      if (answer.error instanceof FatalError) {
        this.logger?.error(
          { operation: spec.operation, reason: answer.error.reason, code: answer.error.code },
          answer.error.message,
        );
      } else {
        this.logger?.warn(
          { operation: spec.operation, reason: answer.error.reason, code: answer.error.code },
          'xingchen call failed',
        );
      }
      throw answer.error;
    } finally {
      release();
    }
  }

  private async exchange(spec: CallSpec, token: string | undefined): Promise<Answer> {
    const headers: Record<string, string> = {
      ...gatewayHeaders(
        {
          method: spec.method,
          path: spec.path,
          query: spec.query,
          nonce: this.nonce(),
          timestamp: String(this.clock.now()),
        },
        { clientId: this.config.clientId, clientSecret: this.config.clientSecret },
      ),
      Accept: 'application/json',
    };
    if (spec.business && token) {
      headers['app-token'] = token;
      headers['X-GW-Router-Addr'] = this.config.domain;
    }
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json;charset=utf-8';
    const search = new URLSearchParams(spec.query ?? {}).toString().replace(/\+/g, '%20');
    const url = `${this.baseUrl}${spec.path}${search ? `?${search}` : ''}`;
    let response: HttpResponse;
    try {
      response = await this.transport({
        method: spec.method,
        url,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        timeoutMs: this.config.requestTimeoutMs,
      });
    } catch (error) {
      if (!(error instanceof TransportFailureError)) throw error;
      const { error: mapped, outcome } = transportError(spec.operation, error);
      return { ok: false, notFound: false, error: mapped, outcome };
    }
    return this.interpret(spec.operation, response);
  }

  private interpret(operation: XingchenOperation, response: HttpResponse): Answer {
    let body: Json | undefined;
    try {
      body = asRecord(JSON.parse(response.body));
    } catch {
      body = undefined;
    }
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], this.clock.now());
    if (response.status === 200 && body) {
      if (body.errcode === 0 || body.errcode === '0') return { ok: true, data: body.data };
      if (body.success === true) return { ok: true, data: body.data };
    }
    const rawErrcode =
      body?.errcode ?? body?.errorCode ?? body?.code ?? (body?.success === false ? -1 : undefined);
    const errcode = response.status === 200 && rawErrcode !== undefined ? Number(rawErrcode) : undefined;
    const code = response.status === 519 ? Number(body?.code) : errcode;
    const rule = ruleFor({
      status: response.status,
      code: response.status === 519 && Number.isFinite(code) ? code : undefined,
      errcode: errcode !== undefined && Number.isFinite(errcode) ? errcode : undefined,
    });
    if (rule.kind === 'not_found') return { ok: false, notFound: true };
    const detail = str(body?.description ?? body?.description_cn ?? body?.message ?? body?.msg);
    const error = errorFor(rule, {
      operation,
      status: response.status,
      code: code !== undefined && Number.isFinite(code) ? code : undefined,
      detail: detail?.slice(0, 300),
      retryAfterMs,
    });
    return { ok: false, notFound: false, error, outcome: rule.outcome, rule };
  }
}
