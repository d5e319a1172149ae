import { Inject, Injectable } from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { consumerGroupLag } from '@app/kafka';
import { LedgerQueries, OrderQueries } from '@app/persistence';
import { scrape, sumOf, type Sample } from '@app/observability';
import { DataSource } from 'typeorm';
import { type CheckResult, type Overview, type ServiceHealth, type TopicLag } from '../console-api';
import { CONSOLE_CONFIG, CONSOLE_KAFKA, type ConsoleConfig } from '../console.tokens';
import { DeadLettersService } from '../dead-letters/dead-letters.service';

interface ServiceTarget {
  name: string;
  url: string;
}

/** CONSOLE_SERVICE_URLS (validated `name=url` entries) as targets. */
export const serviceTargets = (entries: string[]): ServiceTarget[] =>
  entries.map((entry) => {
    const index = entry.indexOf('=');
    return { name: entry.slice(0, index), url: entry.slice(index + 1).replace(/\/+$/, '') };
  });

const fetchJson = async (url: string): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { status: response.status, body };
};

/** The overview: every service's health, lag, freshness, outcomes, quota, dead letters, last errors. */
@Injectable()
export class OverviewService {
  private readonly targets: ServiceTarget[];
  private readonly ledger: LedgerQueries;

  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    @Inject(CONSOLE_KAFKA) private readonly kafka: Kafka,
    private readonly orders: OrderQueries,
    private readonly deadLetters: DeadLettersService,
    dataSource: DataSource,
  ) {
    this.targets = serviceTargets(config.CONSOLE_SERVICE_URLS);
    this.ledger = LedgerQueries.of(dataSource);
  }

  async overview(): Promise<Overview> {
    const [
      services,
      metrics,
      lag,
      byStatus,
      lastHour,
      lastDay,
      lastErrors,
      deadLetters,
      checkpoint,
      budgets,
    ] = await Promise.all([
      Promise.all(this.targets.map((target) => this.health(target))),
      Promise.all(
        this.targets.map(async (target) => [target.name, await scrape(`${target.url}/metrics`)] as const),
      ),
      this.lag(),
      this.orders.countsByStatus(),
      this.orders.changedSince(3600),
      this.orders.changedSince(86400),
      this.orders.recentErrors(10),
      this.deadLetters.summary().catch(() => []),
      this.ledger.checkpoint(this.config.CHECKPOINT_NAME),
      this.orders.callBudgets().catch(() => []),
    ]);
    const samples = new Map<string, Sample[]>(metrics);
    const all = [...samples.values()].flat();
    const extractor = samples.get('extractor') ?? [];
    const hasLag = extractor.some((s) => s.name === 'erpsync_extractor_lag_seconds');
    const checkpointMs = checkpoint?.checkpointMs ?? null;
    const lagSeconds =
      checkpointMs === null
        ? null
        : hasLag
          ? sumOf(extractor, 'erpsync_extractor_lag_seconds')
          : (Date.now() - checkpointMs) / 1000;
    const requestsByOutcome: Record<string, number> = {};
    for (const sample of all.filter((s) => s.name === 'erpsync_xingchen_api_requests_total'))
      requestsByOutcome[sample.labels.outcome ?? 'unknown'] =
        (requestsByOutcome[sample.labels.outcome ?? 'unknown'] ?? 0) + sample.value;
    // a process in local mode reports no pace (0): only the shared budget's pace counts
    const paces = all.filter((s) => s.name === 'erpsync_xingchen_quota_pace_ratio' && s.value > 0);
    return {
      generatedAt: new Date().toISOString(),
      services,
      lag,
      freshness: {
        checkpoint: checkpointMs === null ? null : new Date(checkpointMs).toISOString(),
        wdtNow:
          checkpointMs === null || lagSeconds === null
            ? new Date().toISOString()
            : new Date(checkpointMs + lagSeconds * 1000).toISOString(),
        lagSeconds: lagSeconds === null ? null : Math.round(lagSeconds),
      },
      ledger: { total: Object.values(byStatus).reduce((sum, n) => sum + n, 0), byStatus },
      outcomes: { lastHour, lastDay },
      quota: {
        requestsByOutcome,
        throttled: requestsByOutcome.rate_limited ?? 0,
        // the account set's quota (the console's XINGCHEN_RATE_LIMIT_PER_MINUTE, as the loader's) at the pace in force
        ratePerMinute: Math.round(
          this.config.XINGCHEN_RATE_LIMIT_PER_MINUTE *
            (paces.length > 0 ? Math.min(...paces.map((p) => p.value)) : 1),
        ),
        budgets: budgets.map((row) => ({
          key: String(row.account_set),
          detail: `pace ${Number(row.factor).toFixed(2)}${Number(row.throttled_until_ms) > Date.now() ? `, throttled until ${new Date(Number(row.throttled_until_ms)).toISOString()}` : ''}`,
        })),
      },
      deadLetters: deadLetters.flatMap((queue) =>
        queue.byReason.map((entry) => ({ source: queue.source, topic: queue.topic, ...entry })),
      ),
      lastErrors: lastErrors.map((e) => ({ ...e, at: e.at.toISOString() })),
    };
  }

  private async health(target: ServiceTarget): Promise<ServiceHealth> {
    try {
      const [live, ready] = await Promise.all([
        fetchJson(`${target.url}/health/live`),
        fetchJson(`${target.url}/health/ready`),
      ]);
      const checks = (ready.body as { checks?: Record<string, CheckResult> } | null)?.checks ?? {};
      return { ...target, live: live.status === 200, ready: ready.status === 200, checks };
    } catch (error) {
      return {
        ...target,
        live: false,
        ready: false,
        checks: {},
        error:
          error instanceof Error
            ? ((error.cause as Error | undefined)?.message ?? error.message)
            : String(error),
      };
    }
  }

  private async lag(): Promise<TopicLag[]> {
    const c = this.config;
    const consumers = [
      { consumer: 'transformer (live)', group: c.TRANSFORMER_GROUP_ID, topic: c.RAW_TOPIC },
      { consumer: 'transformer (replay)', group: c.TRANSFORMER_REPLAY_GROUP_ID, topic: c.RAW_REPLAY_TOPIC },
      { consumer: 'loader', group: c.LOADER_GROUP_ID, topic: c.NORMALIZED_TOPIC },
    ];
    const admin = this.kafka.admin();
    try {
      await admin.connect();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return consumers.map((entry) => ({ ...entry, lag: null, error: `Kafka: ${message}` }));
    }
    try {
      return await Promise.all(
        consumers.map(async (entry) => {
          try {
            return { ...entry, lag: await consumerGroupLag(admin, entry.group, entry.topic) };
          } catch (error) {
            return { ...entry, lag: null, error: error instanceof Error ? error.message : String(error) };
          }
        }),
      );
    } finally {
      await admin.disconnect();
    }
  }
}
