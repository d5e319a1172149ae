import { type DataSource, type EntityManager } from 'typeorm';
import {
  claimStep,
  throttleStep,
  type BudgetGrant,
  type BudgetPolicy,
  type BudgetState,
  type CallBudgetStore,
  type ThrottleResult,
} from '@app/runtime';

interface BudgetRow {
  tat_ms: number;
  factor: number;
  lowered_at_ms: number;
  throttled_until_ms: number;
  now_ms: number;
}

/**
 * The shared call budget in PostgreSQL. Each claim or throttle report is one short transaction on
 * the account set's row: the upsert locks it (creating it on first use) and answers the database's
 * clock, the step of @app/runtime decides, one UPDATE stores the outcome. Concurrent processes
 * queue on the row lock, so the schedule is exact however many replicas claim at once.
 */
export class PostgresCallBudgetStore implements CallBudgetStore {
  constructor(private readonly dataSource: DataSource) {}

  claim(accountSet: string, want: number, policy: BudgetPolicy): Promise<BudgetGrant> {
    return this.locked(accountSet, (state, now) => {
      const { state: next, grant } = claimStep(state, want, policy, now);
      return { next: grant.granted > 0 ? next : undefined, answer: grant };
    });
  }

  reportThrottled(
    accountSet: string,
    retryAfterMs: number | undefined,
    policy: BudgetPolicy,
  ): Promise<ThrottleResult> {
    return this.locked(accountSet, (state, now) => {
      const { state: next, result } = throttleStep(state, retryAfterMs, policy, now);
      return { next, answer: result };
    });
  }

  /** The row as stored (tests and `erpsync` diagnostics). */
  async state(accountSet: string): Promise<BudgetState | undefined> {
    const rows = await this.dataSource.query<BudgetRow[]>(
      'SELECT tat_ms, factor, lowered_at_ms, throttled_until_ms FROM xingchen_call_budget WHERE account_set = $1',
      [accountSet],
    );
    return rows[0] && toState(rows[0]);
  }

  private locked<T>(
    accountSet: string,
    decide: (state: BudgetState, now: number) => { next?: BudgetState; answer: T },
  ): Promise<T> {
    return this.dataSource.transaction(async (manager: EntityManager) => {
      const rows = await manager.query<BudgetRow[]>(
        `INSERT INTO xingchen_call_budget (account_set) VALUES ($1)
           ON CONFLICT (account_set) DO UPDATE SET account_set = EXCLUDED.account_set
           RETURNING tat_ms, factor, lowered_at_ms, throttled_until_ms,
                     extract(epoch FROM clock_timestamp()) * 1000 AS now_ms`,
        [accountSet],
      );
      const row = rows[0];
      const { next, answer } = decide(toState(row), Number(row.now_ms));
      if (next)
        await manager.query(
          `UPDATE xingchen_call_budget
              SET tat_ms = $2, factor = $3, lowered_at_ms = $4, throttled_until_ms = $5, updated_at = now()
            WHERE account_set = $1`,
          [accountSet, next.tatMs, next.factor, next.loweredAtMs, next.throttledUntilMs],
        );
      return answer;
    });
  }
}

const toState = (row: BudgetRow): BudgetState => ({
  tatMs: Number(row.tat_ms),
  factor: Number(row.factor),
  loweredAtMs: Number(row.lowered_at_ms),
  throttledUntilMs: Number(row.throttled_until_ms),
});

/**
 * A budget store with its own small pool, connected on first use (the CLI: a process that may
 * never call Xingchen). A connection that fails is tried again on the next claim; the limiter
 * paces with its local fallback meanwhile.
 */
export class ConnectingCallBudgetStore implements CallBudgetStore {
  private ready?: Promise<PostgresCallBudgetStore>;
  private source?: DataSource;

  constructor(private readonly connect: () => DataSource) {}

  claim(accountSet: string, want: number, policy: BudgetPolicy): Promise<BudgetGrant> {
    return this.store().then((store) => store.claim(accountSet, want, policy));
  }

  reportThrottled(
    accountSet: string,
    retryAfterMs: number | undefined,
    policy: BudgetPolicy,
  ): Promise<ThrottleResult> {
    return this.store().then((store) => store.reportThrottled(accountSet, retryAfterMs, policy));
  }

  async close(): Promise<void> {
    const source = this.source;
    this.ready = undefined;
    this.source = undefined;
    if (source?.isInitialized) await source.destroy();
  }

  private store(): Promise<PostgresCallBudgetStore> {
    this.ready ??= (async () => {
      this.source = this.connect();
      await this.source.initialize();
      return new PostgresCallBudgetStore(this.source);
    })().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }
}
