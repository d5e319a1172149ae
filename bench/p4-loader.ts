/**
 * P4 and P10 of docs/quality.md (shared docs), measured on the real loader (Nest app, Xingchen
 * client, ledger in PostgreSQL, ConsumerRunner on the local broker) against the in-process
 * Xingchen sandbox:
 *   P4   sal_order_save calls/s ÷ the sandbox's quota Q, Q ∈ {2, 10, 40}/s, save latency 100–300 ms
 *        (goal ≥ 0.90 with ≤ 1 % throttled answers)
 *   P10  Xingchen calls (every route, token included) ÷ orders synced, at steady state (goal ≤ 1.05)
 * Each Q: a backlog of new orders on a fresh topic, a warm-up (group join, master data cached),
 * then a MEASURE-second window read from the sandbox's counters.
 * Both Xingchen API families (V1 legacy, V2 open platform), each against the same sandbox.
 * `--replicas N` runs each Q with 1 and then N loader replicas of one account set (one consumer
 * group, each replica its own Nest app, Xingchen client, limiter and database pool, as separate
 * pods have): P4 is then saves/min of all replicas ÷ the one quota, and the sandbox's own quota
 * refuses what goes beyond it. The replicas share the quota through PostgreSQL (docs/quota.md);
 * `--shared false` shows what per-replica limiters do instead.
 * Kafka and PostgreSQL are started as `npm run bench` starts them (scripts/kafka.sh,
 * scripts/ensure-postgres.sh); when one cannot be, the bench says so in one line.
 * Run: npm run bench:p4 -- [--replicas 3] [--measure 20] [--quotas 2,10,40] [--families v1,v2] [--shared false] [--json]
 */
import { type INestApplication } from '@nestjs/common';
import { loadEnv, loaderEnv, processEnv } from '@app/config';
import { type NormalizedSalesOrder } from '@app/contracts';
import { createKafka } from '@app/kafka';
import { normalizedOrderOf } from '@app/mapping';
import { ensureDatabase } from '@app/persistence';
import { sleep, waitUntilQuiet } from '@app/runtime';
import { ensureLocalPostgres, startLocalKafka } from '@app/stack';
import { catalogShops, catalogSkus, catalogWarehouses } from '@app/sandbox-catalog';
import { createLoaderApp } from '../apps/loader/src';
import {
  createXingchenSandbox,
  saveCallsOf,
  xingchenClientEnvFor,
  type SandboxStats,
  type XingchenSandbox,
} from '../apps/xingchen-sandbox/src';
import { ratio, report } from './lib/report';

const arg = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
};

const MEASURE_SECONDS = Number(arg('measure', '20'));
const QUOTAS = arg('quotas', '2,10,40').split(',').map(Number);
type Family = 'v1' | 'v2';
/** Calls that are not the account set's business quota: logins, tokens, authorizations. */
const AUTH_ROUTES = new Set(['v1.login', 'v1.account_group', 'v2.token', 'v2.push_app_authorize']);
const FAMILIES = arg('families', 'v1,v2').split(',') as Family[];
const REPLICAS = Number(arg('replicas', '1'));
const REPLICA_COUNTS = REPLICAS > 1 ? [1, REPLICAS] : [1];
const SHARED = arg('shared', 'true') !== 'false';
const WARMUP_SECONDS = 4;
/** The warm-up lasts until no master-data look-up happened for this long (every number cached)… */
const QUIET_LOOKUPS_SECONDS = 3;
/** …but no longer than this. */
const MAX_WARMUP_SECONDS = 60;
const PARTITIONS = 6;
const brokers = (processEnv().KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const databaseUrl = processEnv().BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/erpsync_bench';

function order(run: string, index: number): NormalizedSalesOrder {
  const shop = catalogShops[index % catalogShops.length];
  const warehouse = catalogWarehouses[index % catalogWarehouses.length];
  const lines = Array.from({ length: 1 + (index % 3) }, (_, i) => {
    const sku = catalogSkus[(index * 7 + i * 3) % catalogSkus.length];
    return {
      sourceRecId: String(i + 1),
      materialNumber: sku.specNo,
      storeNumber: warehouse.storeNumber,
      qty: String(1 + ((index + i) % 4)),
      taxPrice: sku.price,
      isFree: false,
      taxPercent: '13',
      shareAmount: sku.price,
    };
  });
  const billNo = `BENCH-${run}-${String(index).padStart(6, '0')}`;
  return normalizedOrderOf(
    billNo,
    { billDate: '2024-06-18', customerNumber: shop.customerNumber, lines },
    {
      system: 'wdt',
      tradeId: `T${run}${index}`,
      tradeNo: billNo,
      shopNo: shop.shopNo,
      warehouseNo: warehouse.warehouseNo,
      tradeStatus: 95,
      modified: '2024-06-18T10:05:00+08:00',
    },
  );
}

const sum = (
  counts: Record<string, number> | undefined,
  filter: (outcome: string) => boolean = () => true,
): number =>
  Object.entries(counts ?? {}).reduce((total, [outcome, n]) => total + (filter(outcome) ? n : 0), 0);

interface Snapshot {
  at: number;
  saves: number;
  throttled: number;
  businessCalls: number;
  allCalls: number;
  synced: number;
  /** Master-data look-ups (every business route but the sales-order ones). */
  lookups: number;
}

function snapshot(sandbox: XingchenSandbox): Snapshot {
  const stats: SandboxStats = sandbox.stats();
  const business = Object.entries(stats.calls).filter(([route]) => !AUTH_ROUTES.has(route));
  return {
    at: performance.now(),
    saves: sum(saveCallsOf(stats)),
    throttled: business.reduce((total, [, counts]) => total + (counts.http_429 ?? 0), 0),
    businessCalls: business.reduce((total, [, counts]) => total + sum(counts), 0),
    allCalls: Object.values(stats.calls).reduce((total, counts) => total + sum(counts), 0),
    synced: stats.ordersCreated + stats.ordersModified,
    lookups: business
      .filter(([route]) => !/\.sal_order_/.test(route))
      .reduce((total, [, counts]) => total + sum(counts), 0),
  };
}

/** Waits until the loader has cached the master data: no look-up for QUIET_LOOKUPS_SECONDS. */
async function masterDataCached(sandbox: XingchenSandbox): Promise<void> {
  await waitUntilQuiet(() => snapshot(sandbox).lookups, {
    quietMs: QUIET_LOOKUPS_SECONDS * 1000,
    deadlineMs: Date.now() + MAX_WARMUP_SECONDS * 1000,
    intervalMs: 250,
  });
}

/** More orders than the loader can save at `quotaPerSecond` during the warm-up and the measurement. */
async function produceBacklog(
  kafka: ReturnType<typeof createKafka>,
  topic: string,
  run: string,
  quotaPerSecond: number,
): Promise<void> {
  const backlog = Math.ceil(quotaPerSecond * (MAX_WARMUP_SECONDS + MEASURE_SECONDS + 10) * 1.3) + 40;
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  for (let from = 0; from < backlog; from += 500) {
    const messages = Array.from({ length: Math.min(500, backlog - from) }, (_, i) => {
      const o = order(run, from + i);
      return { key: o.billNo, value: JSON.stringify(o) };
    });
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
}

/** Orders the sandbox holds more than once (by bill number). */
function duplicateBills(sandbox: XingchenSandbox): number {
  const seen = new Set<string>();
  let dup = 0;
  for (const o of sandbox.orders()) {
    if (seen.has(o.billno)) dup++;
    seen.add(o.billno);
  }
  return dup;
}

/** Warm-up (the group joins, master data gets cached, the bucket's initial burst is spent), then the measured window. */
async function measure(sandbox: XingchenSandbox) {
  const deadline = Date.now() + 60_000;
  while (snapshot(sandbox).saves === 0 && Date.now() < deadline) await sleep(100);
  await sleep(WARMUP_SECONDS * 1000);
  await masterDataCached(sandbox);
  const start = snapshot(sandbox);
  await sleep(MEASURE_SECONDS * 1000);
  const end = snapshot(sandbox);
  const seconds = (end.at - start.at) / 1000;
  const saves = end.saves - start.saves;
  const calls = end.businessCalls - start.businessCalls;
  const throttled = end.throttled - start.throttled;
  const synced = end.synced - start.synced;
  const duplicates = duplicateBills(sandbox);
  return {
    seconds,
    savesPerSecond: saves / seconds,
    throttledShare: calls > 0 ? throttled / calls : 0,
    callsPerOrder: synced > 0 ? (end.allCalls - start.allCalls) / synced : Number.NaN,
    synced,
    duplicates,
    stats: sandbox.stats().calls,
  };
}

async function runQuota(family: Family, quotaPerSecond: number, replicas: number) {
  const run = `${family}-${quotaPerSecond}-${replicas}-${Date.now().toString(36)}`;
  const topic = `bench.loader.${run}`;
  const kafka = createKafka({ brokers, clientId: 'bench-p4' });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic, numPartitions: PARTITIONS },
      { topic: `${topic}.dlq`, numPartitions: 1 },
    ],
    waitForLeaders: true,
  });

  await produceBacklog(kafka, topic, run, quotaPerSecond);

  const sandbox = createXingchenSandbox({
    faults: { rateLimitPerMinute: quotaPerSecond * 60, saveLatencyMs: { min: 100, max: 300 } },
  });
  await sandbox.listen(0);
  const config = loadEnv(loaderEnv, {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_CLIENT_ID: 'bench-loader',
    KAFKA_BOOTSTRAP_TOPICS: 'false',
    LOG_LEVEL: processEnv().BENCH_LOG_LEVEL ?? 'error',
    DATABASE_URL: databaseUrl,
    NORMALIZED_TOPIC: topic,
    LOADER_GROUP_ID: `erpsync.loader.bench.${run}`,
    ...xingchenClientEnvFor(sandbox, family),
    // the tenant's quota, as configured in production; the client stays 5 % below it
    XINGCHEN_RATE_LIMIT_PER_MINUTE: String(quotaPerSecond * 60),
    XINGCHEN_SHARED_QUOTA: String(SHARED),
  });
  const apps: INestApplication[] = [];
  try {
    for (let i = 0; i < replicas; i++) apps.push(await createLoaderApp(config));
    return { family, quotaPerSecond, replicas, ...(await measure(sandbox)) };
  } finally {
    await Promise.all(apps.map((app) => app.close()));
    await sandbox.close();
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** Kafka and PostgreSQL as `npm run bench` has them; false (and one line saying what) when one is missing. */
async function infrastructure(): Promise<boolean> {
  const local = brokers.every((broker) => /^(127\.0\.0\.1|localhost):/.test(broker));
  try {
    if (local && (await startLocalKafka())) console.error('kafka: local broker started');
  } catch (error) {
    console.error(
      `p4: no Kafka broker at ${brokers.join(',')} and scripts/kafka.sh start failed: ${oneLine(error)}`,
    );
    return false;
  }
  try {
    await ensureLocalPostgres(databaseUrl);
    await ensureDatabase(databaseUrl);
  } catch (error) {
    console.error(
      `p4: no PostgreSQL at ${new URL(databaseUrl).host} (BENCH_DATABASE_URL): ${oneLine(error)}`,
    );
    return false;
  }
  const admin = createKafka({ brokers, clientId: 'bench-p4-probe' }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    console.error(`p4: the Kafka broker at ${brokers.join(',')} does not answer: ${oneLine(error)}`);
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return true;
}

const oneLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 200);

async function main(): Promise<void> {
  if (!(await infrastructure())) process.exit(2);
  const results = [];
  for (const family of FAMILIES)
    for (const quota of QUOTAS)
      for (const replicas of REPLICA_COUNTS) {
        const result = await runQuota(family, quota, replicas);
        console.error(
          `${family} Q=${quota}/s ×${replicas} replica(s)${SHARED ? '' : ' (per-replica limiters)'}: ${result.savesPerSecond.toFixed(2)} saves/s over ${result.seconds.toFixed(1)} s, ` +
            `throttled ${(result.throttledShare * 100).toFixed(2)} %, ${result.callsPerOrder.toFixed(3)} calls/order, duplicates ${result.duplicates}`,
        );
        results.push(result);
      }
  const rows = results.flatMap((r) => [
    ratio({
      id: `P4 ${r.family} Q=${r.quotaPerSecond * 60}/min ×${r.replicas}`,
      description: `saves/min of ${r.replicas} loader replica(s) ÷ the account set's quota (save latency 100–300 ms${SHARED ? ', shared quota' : ', per-replica limiters'})`,
      numerator: r.savesPerSecond * 60,
      denominator: r.quotaPerSecond * 60,
      unit: 'calls/min',
      goal: '≥ 0.90',
      goalMin: 0.9,
      notes: `throttled ${(r.throttledShare * 100).toFixed(2)} % (goal ≤ 1 %)${r.throttledShare > 0.01 ? ' — FAILS' : ''}`,
    }),
  ]);
  for (const family of FAMILIES) {
    const ofFamily = results.filter((r) => r.family === family && r.replicas === 1);
    const steady = ofFamily.find((r) => r.quotaPerSecond === 10) ?? ofFamily[0];
    rows.push(
      ratio({
        id: `P10 ${family}`,
        description: `Xingchen calls ÷ orders synced at steady state (${family}, Q=${steady.quotaPerSecond}/s, master data cached)`,
        numerator: steady.callsPerOrder * steady.synced,
        denominator: steady.synced,
        unit: 'calls',
        goal: '≤ 1.02',
        goalMax: 1.02,
      }),
    );
  }
  for (const row of rows) if (row.id.startsWith('P4') && row.notes?.includes('FAILS')) row.pass = false;
  report('p4-loader', rows, { measureSeconds: MEASURE_SECONDS, results });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
