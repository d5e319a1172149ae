import { type Admin, type Kafka } from 'kafkajs';
import { loadEnv, loaderEnv, xingchenClientEnv } from '@app/config';
import { createServiceMetrics } from '@app/observability';
import { LedgerQueries } from '@app/persistence';
import { XingchenClient, xingchenClientConfigFromEnv } from '@app/xingchen-client';
import { deadLetterTopic, type NormalizedSalesOrder, type OrderCancellation } from '@app/contracts';
import {
  createTopics,
  groupLag,
  produce,
  readAll,
  type ReadRecord,
  randomTopic,
  testBrokers,
  testDatabaseUrl,
  testKafka,
  uniqueName,
  waitFor,
  listenLocally,
  type RunningApp,
} from '@app/testing';
import { normalizedOrderOf } from '@app/mapping';
import { createLoaderApp } from '../../../apps/loader/src';
import {
  createXingchenSandbox,
  saveCallsOf,
  xingchenClientEnvFor,
  type SandboxFaults,
  type XingchenSandbox,
} from '../../../apps/xingchen-sandbox/src';

/** Loader scenarios that talk to Xingchen run in both API families. */
export const families = ['v1', 'v2'] as const;
export type Family = (typeof families)[number];

/** A Xingchen client of the sandbox's default account set, speaking `family`. */
export function clientFor(sandbox: XingchenSandbox, family: Family = 'v1'): XingchenClient {
  const config = loadEnv(xingchenClientEnv, xingchenClientEnvFor(sandbox, family));
  return new XingchenClient(
    xingchenClientConfigFromEnv(config),
    createServiceMetrics('test', 'test', 'test'),
  );
}

/** The environment that makes the loader speak `family`. */
export const familyEnv = (family: Family): Record<string, string> => ({ XINGCHEN_API: family });

export interface LoaderTestTopics {
  normalized: string;
  dlq: string;
  group: string;
}

export async function loaderTopics(admin: Admin, partitions = 3): Promise<LoaderTestTopics> {
  const normalized = randomTopic('normalized');
  const names = { normalized, dlq: deadLetterTopic(normalized), group: uniqueName('erpsync.loader') };
  await createTopics(admin, [names.normalized, names.dlq], partitions);
  return names;
}

/** The Xingchen sandbox in-process on a random port. */
export async function startSandbox(faults: Partial<SandboxFaults> = {}): Promise<XingchenSandbox> {
  const sandbox = createXingchenSandbox({
    faults: { rateLimitPerMinute: 6000, tokenRateLimitPerMinute: 600, ...faults },
  });
  await sandbox.listen(0);
  return sandbox;
}

export type RunningLoader = RunningApp;

/** The loader in-process (same factory as main.ts) against the sandbox, HTTP on a random port. */
export async function startLoader(
  topics: LoaderTestTopics,
  sandbox: XingchenSandbox,
  env: Record<string, string> = {},
): Promise<RunningLoader> {
  const config = loadEnv(loaderEnv, {
    KAFKA_BROKERS: testBrokers().join(','),
    KAFKA_CLIENT_ID: 'loader-test',
    KAFKA_BOOTSTRAP_TOPICS: 'false',
    LOG_LEVEL: process.env.LOADER_TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_RUN_MIGRATIONS: 'false',
    DATABASE_POOL_SIZE: '12',
    NORMALIZED_TOPIC: topics.normalized,
    LOADER_GROUP_ID: topics.group,
    CONSUMER_RETRY_INITIAL_MS: '50',
    CONSUMER_RETRY_MAX_MS: '500',
    CONSUMER_SESSION_TIMEOUT_MS: '10000',
    ...xingchenClientEnvFor(sandbox, env.XINGCHEN_API === 'v2' ? 'v2' : 'v1'),
    XINGCHEN_RATE_LIMIT_PER_MINUTE: String(sandbox.faults().rateLimitPerMinute || 60000),
    XINGCHEN_REQUEST_TIMEOUT_SECONDS: '2',
    ...env,
  });
  return listenLocally(await createLoaderApp(config));
}

/** `erpsync_loader_orders_total` by outcome (non-zero only), scraped from /metrics. */
export async function loaderCounts(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^erpsync_loader_orders_total\{outcome="(\w+)"\} (\d+)$/gm)) {
    if (Number(match[2]) > 0) counts[match[1]] = Number(match[2]);
  }
  return counts;
}

export const billNumber = (prefix = 'JY'): string =>
  uniqueName(prefix)
    .replace(/[^A-Za-z0-9-]/g, '-')
    .toUpperCase();

export interface OrderSpec {
  billNo: string;
  modified?: string;
  versionId?: string;
  customer?: string;
  lines?: Array<{ sku: string; store?: string; qty: string; price?: string; free?: boolean; tax?: string }>;
}

/** A normalized order as the transformer emits it (content hash over the business fields). */
export function normalizedOrder(spec: OrderSpec): NormalizedSalesOrder {
  const lines = (spec.lines ?? [{ sku: 'SKU-001', qty: '2' }]).map((line, index) => ({
    sourceRecId: String(index + 1),
    materialNumber: line.sku,
    storeNumber: line.store ?? 'WH-SH01',
    qty: line.qty,
    taxPrice: line.price ?? '59.9000',
    isFree: line.free ?? false,
    taxPercent: line.tax ?? '13',
    shareAmount: '0.0000',
  }));
  return normalizedOrderOf(
    spec.billNo,
    {
      billDate: '2024-06-18',
      customerNumber: spec.customer ?? 'CUST-TM001',
      project: { field: 'custom_field42obgp309axx5_number', value: 'TM001' },
      lines,
    },
    {
      system: 'wdt',
      tradeId: `T-${spec.billNo}`,
      tradeNo: spec.billNo,
      shopNo: 'TM001',
      warehouseNo: 'WH-SH01',
      tradeStatus: 95,
      modified: spec.modified ?? '2024-06-18T10:05:00+08:00',
      ...(spec.versionId ? { versionId: spec.versionId } : {}),
    },
  );
}

export const cancellationOf = (billNo: string, modified: string): OrderCancellation => ({
  kind: 'cancellation',
  schemaVersion: 1,
  billNo,
  source: {
    system: 'wdt',
    tradeId: `T-${billNo}`,
    tradeNo: billNo,
    shopNo: 'TM001',
    warehouseNo: 'WH-SH01',
    tradeStatus: 5,
    modified,
  },
});

export async function produceOrders(
  kafka: Kafka,
  topic: string,
  messages: Array<NormalizedSalesOrder | OrderCancellation>,
): Promise<void> {
  await produce(
    kafka,
    topic,
    messages.map((message) => ({ key: message.billNo, value: JSON.stringify(message) })),
  );
}

export interface LedgerView {
  bill_no: string;
  status: string;
  xingchen_id: string | null;
  content_hash: string | null;
  synced_content_hash: string | null;
  pending_operation: string | null;
  attempts: number;
  last_error_code: string | null;
  last_error_message: string | null;
}

/** Ledger rows of the given bills, by bill number. */
export async function ledgerRows(billNos: string[]): Promise<Map<string, LedgerView>> {
  const rows = await LedgerQueries.using(testDatabaseUrl(), (queries) => queries.rows(billNos));
  return new Map(
    rows.map((row) => [
      row.billNo,
      {
        bill_no: row.billNo,
        status: row.status,
        xingchen_id: row.xingchenId,
        content_hash: row.contentHash,
        synced_content_hash: row.syncedContentHash,
        pending_operation: row.pendingOperation,
        attempts: row.attempts,
        last_error_code: row.lastErrorCode,
        last_error_message: row.lastErrorMessage,
      },
    ]),
  );
}

export async function attemptsOf(
  billNo: string,
): Promise<Array<{ operation: string; outcome: string; error_code: string | null }>> {
  const attempts = await LedgerQueries.using(testDatabaseUrl(), (queries) => queries.attempts(billNo));
  return attempts.map((a) => ({ operation: a.operation, outcome: a.outcome, error_code: a.errorCode }));
}

/** The order lines the sandbox stored (either family's names), as comparable tuples. */
export const storedLines = (sandbox: XingchenSandbox, billNo: string) =>
  sandbox
    .orders()
    .filter((o) => o.billno === billNo)
    .map((o) =>
      (o.entries as Array<Record<string, unknown>>).map((l) => [l.qty, l.taxprice ?? l.tax_price, l.unit_id]),
    );

/** The sandbox's `sal_order_save` calls by outcome, both families together. */
export const saveCalls = (sandbox: XingchenSandbox): Record<string, number> => saveCallsOf(sandbox.stats());

/** What every loader scenario shares: the broker's admin, a Xingchen sandbox, and the loader the test starts. */
export interface LoaderScenario {
  kafka: Kafka;
  admin: Admin;
  sandbox: XingchenSandbox;
  loader?: RunningLoader;
  /** Fresh normalized and DLQ topics and a consumer group for one test. */
  newTopics(partitions?: number): Promise<LoaderTestTopics>;
  /** The loader on `topics` against the scenario's sandbox (also kept as `loader`, closed after the suite). */
  start(topics: LoaderTestTopics, env?: Record<string, string>): Promise<RunningLoader>;
  produce(topics: LoaderTestTopics, messages: Array<NormalizedSalesOrder | OrderCancellation>): Promise<void>;
  /** Produces `count` plain orders with new bill numbers starting with `prefix`; their bill numbers. */
  produceNew(topics: LoaderTestTopics, count: number, prefix: string): Promise<string[]>;
  /** The started loader's `erpsync_loader_orders_total` by outcome (see loaderCounts). */
  counts(): Promise<Record<string, number>>;
  /** The loader group's lag on the normalized topic. */
  lag(topics: LoaderTestTopics): Promise<number>;
  deadLetters(topics: LoaderTestTopics): Promise<ReadRecord[]>;
  /** The sandbox's `sal_order_save` calls by outcome, both families together. */
  saveCalls(): Record<string, number>;
  /** The sandbox's calls of one route of `family` by outcome (see callsOf). */
  callsOf(family: Family, route: string): Record<string, number>;
  storedLines(billNo: string): unknown[][][];
}

/**
 * Registers the scenario's set-up and tear-down; the fields are filled before the first test runs.
 * With a `family`, `start` makes the loader speak it (XINGCHEN_API) unless the test's env says otherwise.
 */
export function loaderScenario(family?: Family, faults: Partial<SandboxFaults> = {}): LoaderScenario {
  const scenario: LoaderScenario = {
    ...({} as Pick<LoaderScenario, 'kafka' | 'admin' | 'sandbox'>),
    newTopics: (partitions) => loaderTopics(scenario.admin, partitions),
    start: async (topics, env = {}) => {
      const withFamily = family ? { ...familyEnv(family), ...env } : env;
      return (scenario.loader = await startLoader(topics, scenario.sandbox, withFamily));
    },
    produce: (topics, messages) => produceOrders(scenario.kafka, topics.normalized, messages),
    produceNew: async (topics, count, prefix) => {
      const bills = Array.from({ length: count }, () => billNumber(prefix));
      await scenario.produce(
        topics,
        bills.map((billNo) => normalizedOrder({ billNo })),
      );
      return bills;
    },
    counts: () => {
      if (!scenario.loader) throw new Error('no loader started');
      return loaderCounts(scenario.loader.url);
    },
    lag: (topics) => groupLag(scenario.admin, topics.group, topics.normalized),
    deadLetters: (topics) => readAll(scenario.kafka, topics.dlq),
    saveCalls: () => saveCalls(scenario.sandbox),
    callsOf: (family, route) => callsOf(scenario.sandbox, family, route),
    storedLines: (billNo) => storedLines(scenario.sandbox, billNo),
  };
  beforeAll(async () => {
    scenario.kafka = testKafka();
    scenario.admin = scenario.kafka.admin();
    await scenario.admin.connect();
    scenario.sandbox = await startSandbox(faults);
  });
  afterAll(async () => {
    await scenario.loader?.close();
    await scenario.sandbox.close();
    await scenario.admin.disconnect();
  });
  return scenario;
}

/** The sandbox's calls of one route of `family` (`sal_order_list`, `login`, `token`…) by outcome. */
export const callsOf = (sandbox: XingchenSandbox, family: Family, route: string): Record<string, number> =>
  sandbox.stats().calls[`${family}.${route}`] ?? {};

/** Waits until readiness is 503 with the loader's consumer check naming every one of `words`; its detail. */
export async function waitUntilNotReady(loader: RunningLoader, words: string[]): Promise<string> {
  return waitFor(
    async () => {
      const response = await fetch(`${loader.url}/health/ready`);
      const body = (await response.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
      const detail = body.checks['consumer:loader']?.detail;
      return response.status === 503 && detail && words.every((word) => detail.includes(word))
        ? detail
        : undefined;
    },
    { timeoutMs: 60_000, description: `readiness 503 naming ${words.join(', ')}` },
  );
}

/**
 * Orders on both sides of a mid-stream credential event: `before` created, then `between()` (which
 * checks the authentication so far and expires or rotates something), then `after` created, lag 0.
 */
export async function ordersAcross(
  s: LoaderScenario,
  family: Family,
  prefix: string,
  between: () => void,
): Promise<{ topics: LoaderTestTopics; bills: string[] }> {
  const topics = await s.newTopics();
  const before = Array.from({ length: 10 }, () => billNumber(`${prefix}-A`));
  const after = Array.from({ length: 20 }, () => billNumber(`${prefix}-B`));
  s.loader = await s.start(topics, familyEnv(family));
  await s.produce(
    topics,
    before.map((billNo) => normalizedOrder({ billNo })),
  );
  await waitFor(async () => (await s.counts()).created === before.length, {
    timeoutMs: 60_000,
    description: 'first orders created',
  });
  between();
  await s.produce(
    topics,
    after.map((billNo) => normalizedOrder({ billNo })),
  );
  await waitFor(async () => (await s.counts()).created === before.length + after.length, {
    timeoutMs: 60_000,
    description: 'every order created',
  });
  await waitFor(async () => (await s.lag(topics)) === 0, {
    description: 'lag 0',
  });
  return { topics, bills: [...before, ...after] };
}

/** Every bill created exactly once in Xingchen, one save each, nothing dead-lettered. */
export async function expectEachCreatedOnce(s: LoaderScenario, topics: LoaderTestTopics, bills: string[]) {
  for (const billNo of bills) expect(s.sandbox.orders().filter((o) => o.billno === billNo)).toHaveLength(1);
  expect(s.saveCalls().ok).toBe(bills.length);
  expect(await s.deadLetters(topics)).toEqual([]);
  expect(await s.counts()).toEqual({ created: bills.length });
}
