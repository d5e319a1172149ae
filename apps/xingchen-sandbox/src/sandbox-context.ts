import { type ServerResponse } from 'node:http';
import { Refused } from './field-check';
import { sleep } from '@app/runtime';
import { Quota, sendGatewayError, type ApiCall, type StatsBook } from './http-kit';
import { type OrderBook, type SaveResult } from './order-book';
import { type SandboxFaults } from './sandbox-config';
import { type SandboxState } from './sandbox-state';

/** What both route families share: master data, the account sets' order books and quotas, faults, counters. */
export class SandboxContext {
  readonly hanging = new Set<ServerResponse>();
  private readonly quotas = new Map<string, Quota>();
  /** When each business call of an account set arrived, and when each one was let through the quota (epoch ms). */
  private readonly times = new Map<string, { arrived: number[]; admitted: number[] }>();

  constructor(
    readonly master: SandboxState,
    readonly books: Map<string, OrderBook>,
    readonly stats: StatsBook,
    private readonly getFaults: () => SandboxFaults,
    readonly now: () => number,
    readonly random: () => number,
  ) {}

  get faults(): SandboxFaults {
    return this.getFaults();
  }

  book(accountId: string): OrderBook {
    const book = this.books.get(accountId);
    if (!book) throw new Error(`no account set ${accountId}`);
    return book;
  }

  /** One quota per account set, both families together. */
  private quota(accountId: string): Quota {
    let quota = this.quotas.get(accountId);
    if (!quota) {
      quota = new Quota(this.faults.rateLimitPerMinute, this.now);
      this.quotas.set(accountId, quota);
    }
    return quota;
  }

  /** `GET /__sandbox/call-times`: what a test checks a sliding-minute quota against. */
  callTimes(accountId: string): { arrived: number[]; admitted: number[] } {
    let times = this.times.get(accountId);
    if (!times) {
      times = { arrived: [], admitted: [] };
      this.times.set(accountId, times);
    }
    return times;
  }

  clearCallTimes(): void {
    this.times.clear();
  }

  setRate(perMinute: number): void {
    for (const quota of this.quotas.values()) quota.setRate(perMinute);
  }

  /** The account-set quota (429) and the injected 519/5003; false when the call was answered here. */
  admit(call: ApiCall, route: string, accountId: string): boolean {
    const times = this.callTimes(accountId);
    const at = this.now();
    times.arrived.push(at);
    const wait = this.quota(accountId).take();
    if (wait === 0) times.admitted.push(at);
    if (wait > 0) {
      this.stats.throttle(call.res, route, wait);
      return false;
    }
    if (this.faults.errorRate > 0 && this.random() < this.faults.errorRate) {
      this.stats.count(route, 'injected_error');
      sendGatewayError(call.res, 5003, 'API 不可用（注入的故障）');
      return false;
    }
    return true;
  }

  /**
   * Runs one save with its faults: latency, then `apply` (which throws `Refused`), then perhaps no
   * answer at all (timeoutAfterApply) or 519/5000 (errorAfterApply). Returns the result to answer, if any.
   */
  async save(
    call: ApiCall,
    route: string,
    apply: () => SaveResult,
  ): Promise<{ result: SaveResult } | { refused: Refused } | undefined> {
    const { min, max } = this.faults.saveLatencyMs;
    if (max > 0) await sleep(min + this.random() * (max - min));
    let result: SaveResult;
    try {
      result = apply();
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      this.stats.count(route, `errcode_${error.code}`);
      return { refused: error };
    }
    this.stats.bump(result.created ? 'ordersCreated' : 'ordersModified');
    if (this.faults.timeoutAfterApplyRate > 0 && this.random() < this.faults.timeoutAfterApplyRate) {
      this.stats.count(route, 'applied_no_answer');
      this.hanging.add(call.res);
      call.res.on('close', () => this.hanging.delete(call.res));
      return undefined;
    }
    if (this.faults.errorAfterApplyRate > 0 && this.random() < this.faults.errorAfterApplyRate) {
      this.stats.count(route, 'applied_then_error');
      sendGatewayError(call.res, 5000, '内部错误（注入的故障，单据已保存）');
      return undefined;
    }
    this.stats.count(route, 'ok');
    return { result };
  }
}

/** JSON.parse that answers `undefined` for a body that is not JSON. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Page `page` (from 1) of `size` rows. */
export function pageOf<T>(rows: T[], page: number, size: number) {
  return {
    count: rows.length,
    totalpage: Math.max(1, Math.ceil(rows.length / size)),
    page,
    pagesize: size,
    rows: rows.slice((page - 1) * size, page * size),
  };
}
