import { sqlMigration } from './sql-migration';

/**
 * The shared Xingchen call budget of each account set (docs/quota.md): one row per account set,
 * the GCRA schedule (`tat_ms`, the earliest start of its next call) and the throttle state every
 * process reads (`factor` lowered at `lowered_at_ms`, no start before `throttled_until_ms`).
 * Times are epoch milliseconds of the database's clock, so the replicas' clocks never matter.
 */
export const XingchenCallBudget1765000000000 = sqlMigration('XingchenCallBudget1765000000000', {
  up: [
    `
      CREATE TABLE xingchen_call_budget (
        account_set        text PRIMARY KEY,
        tat_ms             double precision NOT NULL DEFAULT 0,
        factor             double precision NOT NULL DEFAULT 1 CHECK (factor > 0 AND factor <= 1),
        lowered_at_ms      double precision NOT NULL DEFAULT '-Infinity',
        throttled_until_ms double precision NOT NULL DEFAULT 0,
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`,
  ],
  down: ['DROP TABLE IF EXISTS xingchen_call_budget'],
});
