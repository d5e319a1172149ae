/**
 * The whole-pipeline benchmark (issue 6, item 6): P1, P6, P7, P8 and P9 of docs/quality.md (shared
 * docs), measured side by side in ONE run on the same broker and database, with Kafka's own perf
 * tools as the broker's ceiling.
 *
 *   P1  pipeline orders/s (sandboxes at zero latency, no effective quota)
 *         ÷ raw kafkajs produce→consume msgs/s of same-size messages                       ≥ 0.25
 *   P6  pipeline orders/s ÷ a naive sequential poll → map → save script, page latency
 *         300 ms, save latency 200 ms, loader concurrency C = 8, quota Q      ≥ 0.8 × min(C, Q × 0.2 s)
 *   P7  end-to-end p50 / p99 (visible in WDT → saved in Xingchen, minus the poll interval and the
 *         save latency) against raw kafkajs p50 / p99                      ≤ raw + 50 ms / + 250 ms
 *   P8  steady RSS of each service after the backlog ÷ a bare NestJS + kafkajs process
 *         (≤ 1.5, each ≤ 200 MiB, ≤ 5 % growth over the second half)
 *   P9  services' CPU seconds per 1k orders ÷ raw kafkajs CPU seconds per 1k messages        ≤ 4
 *
 * Everything runs as separate processes: both sandboxes and the three services (PipelineStack,
 * namespaced topics and groups, free ports, database erpsync_bench_pipeline), the baseline as
 * bench/lib/bare-kafka-service.ts, the perf tools as java. RSS and CPU come from /proc/<pid>.
 *
 * Run: npm run bench [-- --orders 100000] [--json]    (options: see USAGE below)
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { processEnv } from '@app/config';
import { loadMappingFile } from '@app/mapping';
import { formatWdtTime } from '@app/contracts';
import { sleep } from '@app/runtime';
import {
  repoRoot,
  startLocalKafka,
  stopLocalKafka,
  freePorts,
  PipelineStack,
  xingchenCredentials,
  SERVICES,
  topologyTopics,
  type SandboxName,
  type ServiceName,
  type ManagedProcess,
} from '@app/stack';
import { BareProcess } from './lib/bare-process';
import { BenchTrades } from './lib/bench-trades';
import { runKafkaPerfTools, type PerfToolFigures } from './lib/kafka-perf-tools';
import { naiveSync } from './lib/naive-sync';
import { cpuSeconds, median, percentile, rssMiB } from './lib/proc-stats';
import { ratio, report, type RatioRow } from './lib/report';

const USAGE = `npm run bench -- [--orders N] [--repeat R] [--latency-rate R] [--latency-seconds S]
  [--p6-orders N] [--naive-orders N] [--p6-quota Q] [--partitions N] [--json]
  [--env SERVICE:NAME=VALUE …]   extra environment of one pipeline process (experiments)
  [--profile DIR]                a V8 CPU profile of each service, DIR/<service>-<pid>.cpuprofile`;

const KNOWN = [
  'orders',
  'repeat',
  'latency-rate',
  'latency-seconds',
  'p6-orders',
  'naive-orders',
  'p6-quota',
  'partitions',
  'json',
  'env',
  'profile',
];
function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number\n${USAGE}`);
  return value;
}
for (const arg of process.argv.slice(2))
  if (arg.startsWith('--') && !KNOWN.includes(arg.slice(2)))
    throw new Error(`unknown option ${arg}\n${USAGE}`);

const ORDERS = Math.round(option('orders', 20_000));
const REPEAT = Math.round(option('repeat', 3));
const LATENCY_RATE = option('latency-rate', 10);
const LATENCY_SECONDS = option('latency-seconds', 30);
const P6_ORDERS = Math.round(option('p6-orders', 600));
const NAIVE_ORDERS = Math.round(option('naive-orders', 60));
const P6_QUOTA = option('p6-quota', 50);
const PARTITIONS = Math.round(option('partitions', 6));
/** `--env loader:LOADER_MAX_IN_FLIGHT=32`: on top of the bench's own settings (repeatable). */
const EXTRA_ENV: Array<{ name: ServiceName | SandboxName; key: string; value: string }> = process.argv
  .flatMap((arg, i) => (arg === '--env' ? [process.argv[i + 1] ?? ''] : []))
  .map((spec) => {
    const match = /^(extractor|transformer|loader|wdt-sandbox|xingchen-sandbox):([A-Z0-9_]+)=(.*)$/s.exec(
      spec,
    );
    if (!match) throw new Error(`--env needs SERVICE:NAME=VALUE, got "${spec}"\n${USAGE}`);
    return { name: match[1] as ServiceName | SandboxName, key: match[2], value: match[3] };
  });
/** P6's loader concurrency C and the sandboxes' latencies there. */
const P6_CONCURRENCY = 8;
const P6_PAGE_LATENCY_MS = 300;
const P6_SAVE_LATENCY_MS = 200;
/** The bench extractor: polls every 100 ms, reads each second once (no overlap) a second after it ends. */
const POLL_INTERVAL_SECONDS = 0.1;
const SAFETY_LAG_SECONDS = 1;
const UNLIMITED_PER_MINUTE = 6_000_000;
/** The services' NODE_OPTIONS as k8s/base deploys them (the heap cap inside the pod's memory limit). */
const DEPLOYED_NODE_OPTIONS = deployedNodeOptions();
const PROFILE_DIR = stringOption('profile');
/** What the services run with: as deployed, plus the profiler preload with `--profile`. */
const SERVICE_NODE_OPTIONS = PROFILE_DIR
  ? `${DEPLOYED_NODE_OPTIONS} -r ${join(__dirname, 'lib', 'cpu-profile-preload.js')}`
  : DEPLOYED_NODE_OPTIONS;

const SERVICE_ENV: Record<string, string> = {
  NODE_OPTIONS: SERVICE_NODE_OPTIONS,
  ...(PROFILE_DIR ? { CPU_PROFILE_DIR: resolve(PROFILE_DIR) } : {}),
};

function stringOption(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return undefined;
  const value = process.argv[index + 1];
  if (!value || value.startsWith('--')) throw new Error(`--${name} needs a value\n${USAGE}`);
  return value;
}

function deployedNodeOptions(): string {
  const manifest = readFileSync(join(repoRoot, 'k8s', 'base', 'loader.yaml'), 'utf8');
  const match = /- name: NODE_OPTIONS\s+value: '([^']*)'/.exec(manifest);
  if (!match) throw new Error('k8s/base/loader.yaml sets no NODE_OPTIONS');
  return match[1];
}

const brokers = (processEnv().KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const databaseUrl =
  processEnv().BENCH_PIPELINE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/erpsync_bench_pipeline';
const mappingFile = join(repoRoot, 'config', 'mapping.demo.yaml');
const runId = Date.now().toString(36).slice(-5);
const runDir = join(repoRoot, 'out', 'bench', runId);
const benchStart = performance.now();
const say = (line: string) =>
  process.stderr.write(
    `[bench ${((performance.now() - benchStart) / 1000).toFixed(0).padStart(4)} s] ${line}\n`,
  );

// ---------------------------------------------------------------- helpers

async function http<T>(url: string, init?: RequestInit & { json?: unknown }): Promise<T> {
  const response = await fetch(url, {
    ...init,
    ...(init?.json !== undefined
      ? {
          method: init.method ?? 'POST',
          body: JSON.stringify(init.json),
          headers: { 'content-type': 'application/json' },
        }
      : {}),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function postTrades(stack: PipelineStack, trades: unknown[]): Promise<void> {
  for (let from = 0; from < trades.length; from += 1000)
    await http(`${stack.url('wdt-sandbox')}/__sandbox/trades`, {
      json: { trades: trades.slice(from, from + 1000) },
    });
}

interface XingchenStats {
  ordersCreated: number;
  ordersModified: number;
  calls: Record<string, Record<string, number>>;
}
const xingchenStats = (stack: PipelineStack) =>
  http<XingchenStats>(`${stack.url('xingchen-sandbox')}/__sandbox/stats`);

interface StoredOrderView {
  billno: string;
  createdAt: string;
}
async function createdTimes(stack: PipelineStack, billPrefix: string): Promise<Map<string, number>> {
  const body = await http<{ orders: StoredOrderView[] }>(`${stack.url('xingchen-sandbox')}/__sandbox/orders`);
  const times = new Map<string, number>();
  for (const order of body.orders) {
    if (!order.billno.startsWith(billPrefix)) continue;
    if (times.has(order.billno)) throw new Error(`duplicate Xingchen order for ${order.billno}`);
    times.set(order.billno, Date.parse(order.createdAt));
  }
  return times;
}

/** Orders/s over the middle 80 % of a backlog (from the 10th to the 90th percentile of save times). */
function middleRate(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const lo = sorted[Math.floor(sorted.length * 0.1)];
  const hi = sorted[Math.ceil(sorted.length * 0.9) - 1];
  const count = Math.ceil(sorted.length * 0.9) - Math.floor(sorted.length * 0.1) - 1;
  return count / ((hi - lo) / 1000);
}

/** Stops a process this bench started, by its PID (SIGTERM, SIGKILL after a grace period). */
async function stopManaged(managed: ManagedProcess | undefined, graceMs = 20_000): Promise<void> {
  if (!managed || managed.exitCode !== undefined) return;
  managed.child.kill('SIGTERM');
  const timer = setTimeout(() => managed.child.kill('SIGKILL'), graceMs);
  await managed.exited;
  clearTimeout(timer);
}

async function createTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes this run's topics and consumer groups (all named after the run id). */
async function cleanUpKafka(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.includes(runId));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
    const existing = (await admin.listTopics()).filter((topic) => topics.includes(topic));
    if (existing.length) await admin.deleteTopics({ topics: existing, timeout: 30_000 });
  } catch {
    // best effort: the topics are namespaced by run id
  } finally {
    await admin.disconnect();
  }
}

/** Median RSS of a few samples a little apart (MiB). */
async function steadyRss(pid: number, samples = 5, gapMs = 400): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < samples; i++) {
    const rss = rssMiB(pid);
    if (rss !== undefined) values.push(rss);
    if (i < samples - 1) await sleep(gapMs);
  }
  return median(values);
}

// ---------------------------------------------------------------- phases

interface BaselineFigures {
  perfTools: PerfToolFigures[];
  throughput: number[];
  cpuPer1k: number[];
  rssIdleMiB: number;
  rssAfterMiB: number;
  latency: { p50Ms: number; p99Ms: number; count: number };
}

async function measureBaseline(
  kafka: Kafka,
  messageBytes: number,
  topics: string[],
): Promise<BaselineFigures> {
  const perfTools: PerfToolFigures[] = [];
  const perfRecords = Math.max(50_000, Math.min(ORDERS, 200_000));
  for (let i = 0; i < REPEAT; i++) {
    const topic = `bench.${runId}.perf${i}`;
    topics.push(topic);
    await createTopics(kafka, [topic]);
    const figures = await runKafkaPerfTools({
      repoRoot,
      brokers,
      topic,
      records: perfRecords,
      recordSize: messageBytes,
    });
    say(
      `kafka perf tools #${i + 1}: producer ${figures.producerRecordsPerSecond.toFixed(0)} rec/s (p50 ${figures.producerP50Ms} ms, p99 ${figures.producerP99Ms} ms), consumer ${figures.consumerRecordsPerSecond.toFixed(0)} rec/s`,
    );
    perfTools.push(figures);
  }

  const bare = await BareProcess.start(brokers, DEPLOYED_NODE_OPTIONS);
  try {
    await sleep(1000);
    const rssIdleMiB = await steadyRss(bare.pid);
    const throughput: number[] = [];
    const cpuPer1k: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const topic = `bench.${runId}.bare${i}`;
      topics.push(topic);
      await createTopics(kafka, [topic]);
      const cpuBefore = cpuSeconds(bare.pid);
      const result = await bare.command<{ msgsPerSecond: number; seconds: number }>(
        { cmd: 'throughput', topic, count: ORDERS, size: messageBytes },
        Math.max(120_000, ORDERS * 5),
      );
      const cpu = cpuSeconds(bare.pid) - cpuBefore;
      throughput.push(result.msgsPerSecond);
      cpuPer1k.push(cpu / (ORDERS / 1000));
      say(
        `raw kafkajs #${i + 1}: ${ORDERS} × ${messageBytes} B produced and consumed at ${result.msgsPerSecond.toFixed(0)} msg/s, ${(cpu / (ORDERS / 1000)).toFixed(3)} CPU s per 1k`,
      );
    }
    const latencyTopic = `bench.${runId}.barelat`;
    topics.push(latencyTopic);
    await createTopics(kafka, [latencyTopic]);
    const latency = await bare.command<{ p50Ms: number; p99Ms: number; count: number }>(
      {
        cmd: 'latency',
        topic: latencyTopic,
        rate: LATENCY_RATE,
        seconds: LATENCY_SECONDS,
        size: messageBytes,
      },
      (LATENCY_SECONDS + 120) * 1000,
    );
    say(
      `raw kafkajs latency at ${LATENCY_RATE}/s: p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms`,
    );
    await sleep(1000);
    const rssAfterMiB = await steadyRss(bare.pid);
    return { perfTools, throughput, cpuPer1k, rssIdleMiB, rssAfterMiB, latency };
  } finally {
    await bare.stop();
  }
}

interface RssSample {
  at: number;
  created: number;
  rss: Record<ServiceName, number>;
}

type PerService = Record<ServiceName, number>;

/** One bench run's shared state: the broker, the trades, the stack and its service processes. */
class PipelineRun {
  readonly kafka = new Kafka({ brokers, clientId: `bench-${runId}`, logLevel: logLevel.NOTHING });
  readonly trades = new BenchTrades(mappingFile);
  readonly rules = loadMappingFile(mappingFile);
  readonly messageBytes = this.trades.meanJsonBytes();
  /** topics to delete at the end */
  readonly topics: string[] = [];
  readonly services: Partial<Record<ServiceName, ManagedProcess>> = {};
  stack: PipelineStack | undefined;
  /** when the P1 backlog was posted: its trades lie in the day before */
  t0 = 0;

  get pipeline(): PipelineStack {
    if (!this.stack) throw new Error('the pipeline stack is not started');
    return this.stack;
  }

  async startServices(): Promise<void> {
    const started = await Promise.all(SERVICES.map((name) => this.pipeline.startService(name)));
    SERVICES.forEach((name, i) => (this.services[name] = started[i]));
  }

  async stopServices(): Promise<void> {
    for (const name of [...SERVICES].reverse()) await stopManaged(this.services[name]);
  }

  crashCheck(): void {
    for (const name of SERVICES) {
      const managed = this.services[name];
      if (managed && managed.exitCode !== undefined)
        throw new Error(`${name} exited with code ${managed.exitCode} (log: ${managed.logFile})`);
    }
  }

  pidOf(name: ServiceName): number {
    return this.services[name]!.pid;
  }

  perService(measure: (pid: number) => number): PerService {
    return Object.fromEntries(SERVICES.map((n) => [n, measure(this.pidOf(n))])) as PerService;
  }

  /** Polls Xingchen until `count` orders were created (crash-checking the services), or throws. */
  async waitForCreated(count: number, timeoutMs: number, pollMs: number, failure: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await xingchenStats(this.pipeline)).ordersCreated < count) {
      this.crashCheck();
      if (Date.now() > deadline) throw new Error(failure);
      await sleep(pollMs);
    }
  }
}

/** The stack with sandboxes at zero latency and no effective quota; WDT holds the P1 backlog. */
async function startPipeline(run: PipelineRun): Promise<void> {
  const stack = new PipelineStack({
    namespace: `bench${runId}`,
    runDir,
    databaseUrl,
    brokers,
    ports: await freePorts(),
    mappingFile,
    env: {
      'wdt-sandbox': {
        WDT_SANDBOX_TRADES: '0',
        WDT_SANDBOX_RATE_LIMIT_PER_MINUTE: String(UNLIMITED_PER_MINUTE),
      },
      'xingchen-sandbox': {
        XINGCHEN_SANDBOX_RATE_LIMIT_PER_MINUTE: '0',
        XINGCHEN_SANDBOX_TOKEN_RATE_LIMIT_PER_MINUTE: '0',
      },
      extractor: {
        ...SERVICE_ENV,
        POLL_INTERVAL_SECONDS: String(POLL_INTERVAL_SECONDS),
        WINDOW_OVERLAP_SECONDS: '0',
        SAFETY_LAG_SECONDS: String(SAFETY_LAG_SECONDS),
        WDT_RATE_LIMIT_PER_MINUTE: '100000',
      },
      transformer: SERVICE_ENV,
      loader: {
        ...SERVICE_ENV,
        XINGCHEN_RATE_LIMIT_PER_MINUTE: String(UNLIMITED_PER_MINUTE),
      },
    },
  });
  run.stack = stack;
  for (const extra of EXTRA_ENV) stack.setEnv(extra.name, { [extra.key]: extra.value });
  await stack.prepare(run.kafka, PARTITIONS); // database recreated and migrated, topics and groups reset
  await stack.startSandboxes();
  const t0 = Date.now();
  run.t0 = t0;
  const dayMs = 86_400_000;
  const backlog = Array.from({ length: ORDERS }, (_, i) =>
    run.trades.make(
      `BP1${runId}${String(i).padStart(7, '0')}`,
      i,
      t0 - dayMs + Math.floor((i * (dayMs - 60_000)) / ORDERS),
    ),
  );
  await postTrades(stack, backlog);
  backlog.length = 0;
  stack.setEnv('extractor', { INITIAL_CHECKPOINT: formatWdtTime(t0 - dayMs - 60_000) });
  say(`sandboxes up; WDT holds ${ORDERS} trades over the last day; starting the services`);
}

interface BacklogFigures {
  pipelineRate: number;
  cpuPer1kOrders: number;
  cpuStart: PerService;
  cpuEnd: PerService;
  createdAtReady: number;
  samples: RssSample[];
}

/** P1 and P9: the services drain the backlog; throughput over the middle 80 %, CPU, RSS samples. */
async function runBacklog(run: PipelineRun): Promise<BacklogFigures> {
  const stack = run.pipeline;
  await run.startServices();
  const cpuStart = run.perService(cpuSeconds);
  const createdAtReady = (await xingchenStats(stack)).ordersCreated;
  say(`services ready (${createdAtReady} orders already saved during start-up)`);

  const samples: RssSample[] = [];
  const deadline = Date.now() + (300 + ORDERS / 20) * 1000;
  let created = createdAtReady;
  let lastLog = 0;
  while (created < ORDERS) {
    run.crashCheck();
    if (Date.now() > deadline)
      throw new Error(`only ${created} of ${ORDERS} orders saved before the deadline`);
    await sleep(1000);
    created = (await xingchenStats(stack)).ordersCreated;
    const rss = run.perService((pid) => rssMiB(pid) ?? Number.NaN);
    samples.push({ at: Date.now(), created, rss });
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      say(
        `P1 backlog: ${created}/${ORDERS} saved; RSS ${SERVICES.map((n) => `${n} ${rss[n].toFixed(0)}`).join(', ')} MiB`,
      );
    }
  }
  const cpuEnd = run.perService(cpuSeconds);
  const p1Times = [...(await createdTimes(stack, `BP1${runId}`)).values()];
  if (p1Times.length !== ORDERS)
    throw new Error(`${p1Times.length} distinct P1 orders in Xingchen for ${ORDERS} trades`);
  const pipelineRate = middleRate(p1Times);
  const cpuPer1kOrders =
    SERVICES.reduce((sum, n) => sum + (cpuEnd[n] - cpuStart[n]), 0) / ((ORDERS - createdAtReady) / 1000);
  say(
    `P1: ${pipelineRate.toFixed(1)} orders/s over the middle 80 %; services ${cpuPer1kOrders.toFixed(3)} CPU s per 1k orders`,
  );
  return { pipelineRate, cpuPer1kOrders, cpuStart, cpuEnd, createdAtReady, samples };
}

interface RssFigures {
  rssEnd: PerService;
  rssHalf: PerService;
  rssPeak: PerService;
}

/** P8: steady RSS after the backlog (the services idle-polling), at half-way, and the peak. */
async function measureRss(run: PipelineRun, samples: RssSample[]): Promise<RssFigures> {
  await sleep(3000);
  const rssEnd = {} as PerService;
  for (const n of SERVICES) rssEnd[n] = await steadyRss(run.pidOf(n));
  const half = samples.findIndex((s) => s.created >= ORDERS / 2);
  const rssHalf = {} as PerService;
  for (const n of SERVICES)
    rssHalf[n] = median(samples.slice(Math.max(0, half - 2), half + 3).map((s) => s.rss[n]));
  const rssPeak = {} as PerService;
  for (const n of SERVICES) rssPeak[n] = Math.max(...samples.map((s) => s.rss[n]), rssEnd[n]);
  return { rssEnd, rssHalf, rssPeak };
}

/** P7 trades: 10 warm-up trades, then LATENCY_RATE per second; answers when each became visible. */
async function postLatencyTrades(run: PipelineRun, latencyTrades: number): Promise<Map<string, number>> {
  const posted = new Map<string, number>();
  const postAt = async (tradeNo: string, index: number) => {
    // a second about to end: wait for the next one, so that modified (whole seconds) and the moment
    // the trade is stored fall into the same second
    if (Date.now() % 1000 > 850) await sleep(1005 - (Date.now() % 1000));
    const at = Date.now();
    await http(`${run.pipeline.url('wdt-sandbox')}/__sandbox/trades`, {
      json: { trades: [run.trades.make(tradeNo, index, at)] },
    });
    posted.set(tradeNo, at);
  };
  for (let i = 0; i < 10; i++) {
    await postAt(`BW7${runId}${String(i).padStart(5, '0')}`, i);
    await sleep(1000 / LATENCY_RATE);
  }
  const latencyStart = performance.now();
  for (let i = 0; i < latencyTrades; i++) {
    const due = latencyStart + (i * 1000) / LATENCY_RATE;
    if (due > performance.now()) await sleep(due - performance.now());
    await postAt(`BP7${runId}${String(i).padStart(5, '0')}`, i);
  }
  return posted;
}

/** P7: trades made visible one by one at a rate well below saturation; visible → saved latency. */
async function runLatency(run: PipelineRun, latencyTrades: number) {
  const posted = await postLatencyTrades(run, latencyTrades);
  await run.waitForCreated(
    ORDERS + 10 + latencyTrades,
    120_000,
    250,
    'the P7 trades did not all arrive in Xingchen within 120 s',
  );
  const p7Saved = await createdTimes(run.pipeline, `BP7${runId}`);
  const fromVisible: number[] = [];
  const adjusted: number[] = [];
  for (const [billNo, visibleAt] of posted) {
    if (!billNo.startsWith(`BP7${runId}`)) continue;
    const saved = p7Saved.get(billNo);
    if (saved === undefined) throw new Error(`P7 trade ${billNo} never reached Xingchen`);
    // the extractor may read a trade modified in second S once S + safety lag has passed
    const eligible = Math.max(visibleAt, Math.floor(visibleAt / 1000) * 1000 + SAFETY_LAG_SECONDS * 1000);
    fromVisible.push(saved - visibleAt);
    adjusted.push(saved - eligible - POLL_INTERVAL_SECONDS * 1000);
  }
  const p7 = {
    p50Ms: percentile(adjusted, 50),
    p99Ms: percentile(adjusted, 99),
    visibleToSavedP50Ms: percentile(fromVisible, 50),
    visibleToSavedP99Ms: percentile(fromVisible, 99),
    samples: adjusted.length,
    /** A trade waits half the poll interval on average: p50 with only that subtracted. */
    p50MinusHalfIntervalMs: percentile(adjusted, 50) + (POLL_INTERVAL_SECONDS * 1000) / 2,
  };
  say(
    `P7: p50 ${p7.p50Ms.toFixed(0)} ms, p99 ${p7.p99Ms.toFixed(0)} ms (visible → saved, unadjusted: ${p7.visibleToSavedP50Ms.toFixed(0)} / ${p7.visibleToSavedP99Ms.toFixed(0)} ms)`,
  );
  return p7;
}

type LatencyFigures = Awaited<ReturnType<typeof runLatency>>;

/** P6 naive side: the services stopped, latencies and quota set, the sequential script's rate. */
async function runNaive(run: PipelineRun) {
  const stack = run.pipeline;
  await run.stopServices();
  await http(`${stack.url('wdt-sandbox')}/__sandbox/faults`, { json: { latencyMs: P6_PAGE_LATENCY_MS } });
  await http(`${stack.url('xingchen-sandbox')}/__sandbox/faults`, {
    json: {
      saveLatencyMs: { min: P6_SAVE_LATENCY_MS, max: P6_SAVE_LATENCY_MS },
      rateLimitPerMinute: Math.round(P6_QUOTA * 60),
    },
  });
  // the naive script's trades lie in a second no other trade has (between the P1 backlog's last
  // second and t0), behind the extractor's checkpoint: the pipeline never reads them
  const naiveSecond = Math.floor(run.t0 / 1000) * 1000 - 30_000;
  await postTrades(
    stack,
    Array.from({ length: NAIVE_ORDERS }, (_, i) =>
      run.trades.make(`BN6${runId}${String(i).padStart(5, '0')}`, i, naiveSecond),
    ),
  );
  const naive = await naiveSync({
    wdtUrl: stack.url('wdt-sandbox'),
    xingchenUrl: stack.url('xingchen-sandbox'),
    xingchenCredentials: xingchenCredentials('v1'),
    xingchenQuotaPerMinute: Math.round(P6_QUOTA * 60),
    rules: run.rules,
    fromMs: naiveSecond,
    toMs: naiveSecond,
  });
  if (naive.orders !== NAIVE_ORDERS)
    throw new Error(`the naive script saved ${naive.orders} of ${NAIVE_ORDERS}`);
  say(
    `P6 naive: ${naive.orders} orders in ${naive.seconds.toFixed(1)} s = ${naive.ordersPerSecond.toFixed(2)} orders/s`,
  );
  return naive;
}

/** P6 pipeline side: the loader at C = 8 under the quota drains P6_ORDERS trades of one second. */
async function runP6Pipeline(run: PipelineRun, alreadyCreated: number) {
  const stack = run.pipeline;
  stack.setEnv('loader', {
    LOADER_MAX_IN_FLIGHT: String(P6_CONCURRENCY),
    XINGCHEN_MAX_CONCURRENCY: String(P6_CONCURRENCY),
    XINGCHEN_RATE_LIMIT_PER_MINUTE: String(Math.round(P6_QUOTA * 60)),
  });
  await run.startServices();
  if (Date.now() % 1000 > 500) await sleep(1005 - (Date.now() % 1000));
  const p6Second = Date.now();
  await postTrades(
    stack,
    Array.from({ length: P6_ORDERS }, (_, i) =>
      run.trades.make(`BP6${runId}${String(i).padStart(5, '0')}`, i, p6Second),
    ),
  );
  await run.waitForCreated(
    alreadyCreated + P6_ORDERS,
    (120 + P6_ORDERS / 2) * 1000,
    500,
    'the P6 backlog did not all arrive in Xingchen in time',
  );
  const p6Times = [...(await createdTimes(stack, `BP6${runId}`)).values()];
  const p6Rate = middleRate(p6Times);
  const stats = await xingchenStats(stack);
  const throttled = Object.values(stats.calls).reduce((sum, counts) => sum + (counts.http_429 ?? 0), 0);
  say(
    `P6 pipeline: ${p6Rate.toFixed(2)} orders/s over the middle 80 % (C = ${P6_CONCURRENCY}, Q = ${P6_QUOTA}/s)`,
  );
  return { p6Rate, throttled };
}

interface Figures {
  messageBytes: number;
  baseline: BaselineFigures;
  backlog: BacklogFigures;
  rss: RssFigures;
  p7: LatencyFigures;
  naive: Awaited<ReturnType<typeof runNaive>>;
  p6: Awaited<ReturnType<typeof runP6Pipeline>>;
}

/** The broker ceiling, P1 and P6 rows. */
function throughputRows({
  messageBytes,
  baseline,
  backlog,
  naive,
  p6,
}: Figures): Array<RatioRow & { value: number }> {
  const rawRate = median(baseline.throughput);
  const perf = {
    producerRecordsPerSecond: median(baseline.perfTools.map((f) => f.producerRecordsPerSecond)),
    consumerRecordsPerSecond: median(baseline.perfTools.map((f) => f.consumerRecordsPerSecond)),
  };
  const p6Goal = 0.8 * Math.min(P6_CONCURRENCY, P6_QUOTA * (P6_SAVE_LATENCY_MS / 1000));
  return [
    ratio({
      id: 'limit',
      description: `broker ceiling: ProducerPerformance (acks=all, ${messageBytes} B) — pipeline orders/s ÷ it`,
      numerator: backlog.pipelineRate,
      denominator: perf.producerRecordsPerSecond,
      unit: '/s',
      goal: 'info',
      notes: `ConsumerPerformance ${perf.consumerRecordsPerSecond.toFixed(0)} rec/s; raw kafkajs ÷ producer tool = ${(rawRate / perf.producerRecordsPerSecond).toFixed(2)}`,
    }),
    ratio({
      id: 'P1',
      description: `pipeline orders/s (zero latency, no quota, ${ORDERS} orders) ÷ raw kafkajs produce→consume msgs/s (${messageBytes} B)`,
      numerator: backlog.pipelineRate,
      denominator: rawRate,
      unit: '/s',
      goal: '≥ 0.25',
      goalMin: 0.25,
    }),
    ratio({
      id: 'P6',
      description: `pipeline orders/s (C=${P6_CONCURRENCY}, Q=${P6_QUOTA}/s, page 300 ms, save 200 ms) ÷ naive sequential script`,
      numerator: p6.p6Rate,
      denominator: naive.ordersPerSecond,
      unit: '/s',
      goal: `≥ ${p6Goal.toFixed(1)}`,
      goalMin: p6Goal,
      notes: `throttled answers ${p6.throttled}`,
    }),
  ];
}

/** The P7 (latency), P8 (RSS) and P9 (CPU) rows. */
function resourceRows({ baseline, backlog, rss, p7 }: Figures): Array<RatioRow & { value: number }> {
  const p7Row = (which: 'p50' | 'p99', ours: number, raw: number, allowance: number) => {
    const row = ratio({
      id: `P7 ${which}`,
      description: `end-to-end ${which} at ${LATENCY_RATE}/s (eligible → saved − poll interval) vs raw kafkajs ${which}`,
      numerator: ours,
      denominator: raw,
      unit: 'ms',
      goal: `≤ raw + ${allowance} ms`,
      notes: `pipeline − raw = ${(ours - raw).toFixed(0)} ms`,
    });
    row.pass = ours - raw <= allowance;
    return row;
  };
  const rows = [
    p7Row('p50', p7.p50Ms, baseline.latency.p50Ms, 50),
    p7Row('p99', p7.p99Ms, baseline.latency.p99Ms, 250),
  ];
  const { rssEnd, rssHalf, rssPeak } = rss;
  for (const n of SERVICES) {
    const growth = rssEnd[n] / rssHalf[n] - 1;
    const row = ratio({
      id: `P8 ${n}`,
      description: `steady RSS after ${ORDERS} orders ÷ bare NestJS + kafkajs process (idle, connected), both with NODE_OPTIONS ${DEPLOYED_NODE_OPTIONS} as deployed`,
      numerator: rssEnd[n],
      denominator: baseline.rssIdleMiB,
      unit: 'MiB',
      goal: '≤ 1.5, ≤ 200 MiB, growth ≤ 5 %',
      goalMax: 1.5,
      notes:
        `second-half growth ${(growth * 100).toFixed(1)} %, peak ${rssPeak[n].toFixed(0)} MiB; ` +
        `÷ bare after ${ORDERS} msgs (${baseline.rssAfterMiB.toFixed(0)} MiB) = ${(rssEnd[n] / baseline.rssAfterMiB).toFixed(2)}`,
    });
    row.pass = row.pass && rssEnd[n] <= 200 && growth <= 0.05;
    rows.push(row);
  }
  const { cpuStart, cpuEnd, createdAtReady } = backlog;
  rows.push(
    ratio({
      id: 'P9',
      description:
        'services CPU s per 1k orders (extractor + transformer + loader) ÷ raw kafkajs CPU s per 1k msgs',
      numerator: backlog.cpuPer1kOrders,
      denominator: median(baseline.cpuPer1k),
      unit: 'CPU s',
      goal: '≤ 4',
      goalMax: 4,
      notes: SERVICES.map(
        (n) => `${n} ${((cpuEnd[n] - cpuStart[n]) / ((ORDERS - createdAtReady) / 1000)).toFixed(3)}`,
      ).join(', '),
    }),
  );
  return rows;
}

/** The report: the rows, then the settings and every figure behind them. */
function writeReport(figures: Figures): void {
  const { baseline, backlog, rss, p7, naive, p6 } = figures;
  report('pipeline', [...throughputRows(figures), ...resourceRows(figures)], {
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    settings: {
      orders: ORDERS,
      repeat: REPEAT,
      extraEnv: EXTRA_ENV,
      messageBytes: figures.messageBytes,
      partitions: PARTITIONS,
      latencyRate: LATENCY_RATE,
      latencySeconds: LATENCY_SECONDS,
      pollIntervalSeconds: POLL_INTERVAL_SECONDS,
      safetyLagSeconds: SAFETY_LAG_SECONDS,
      p6: {
        orders: P6_ORDERS,
        naiveOrders: NAIVE_ORDERS,
        quotaPerSecond: P6_QUOTA,
        concurrency: P6_CONCURRENCY,
      },
    },
    baseline: {
      perfTools: baseline.perfTools,
      kafkajsThroughput: baseline.throughput,
      kafkajsCpuPer1k: baseline.cpuPer1k,
      bareRssIdleMiB: baseline.rssIdleMiB,
      bareRssAfterMiB: baseline.rssAfterMiB,
      kafkajsLatency: baseline.latency,
    },
    pipeline: {
      ordersPerSecond: backlog.pipelineRate,
      createdDuringStartup: backlog.createdAtReady,
      cpuSeconds: Object.fromEntries(SERVICES.map((n) => [n, backlog.cpuEnd[n] - backlog.cpuStart[n]])),
      rssHalfMiB: rss.rssHalf,
      rssEndMiB: rss.rssEnd,
      rssPeakMiB: rss.rssPeak,
      rssSamples: backlog.samples.filter((_, i) => i % 10 === 0),
      latency: p7,
      p6: { ordersPerSecond: p6.p6Rate, naive, throttled: p6.throttled },
    },
  });
}

/** Stops everything this run started and deletes its topics. */
async function tearDown(run: PipelineRun, startedKafka: boolean): Promise<void> {
  for (const name of [...SERVICES].reverse()) await stopManaged(run.services[name]).catch(() => undefined);
  await run.stack?.stopAll().catch(() => undefined);
  if (run.stack) run.topics.push(...topologyTopics(run.stack.topology));
  await cleanUpKafka(
    run.kafka,
    run.topics.filter((t) => t.includes(runId)),
  ).catch(() => undefined);
  if (startedKafka) await stopLocalKafka();
}

async function main(): Promise<void> {
  say(`pipeline bench ${runId}: ${ORDERS} orders, repeat ${REPEAT}; logs in ${runDir}/logs`);
  const startedKafka = await startLocalKafka();
  say(startedKafka ? 'kafka: local broker started' : `kafka: using ${brokers.join(',')}`);
  const run = new PipelineRun();
  try {
    // 1. baselines on a quiet machine: Kafka's perf tools, then the bare NestJS + kafkajs process
    const baseline = await measureBaseline(run.kafka, run.messageBytes, run.topics);
    // 2. the pipeline: sandboxes at zero latency, no effective quota, a backlog of ORDERS trades
    await startPipeline(run);
    const backlog = await runBacklog(run);
    const rss = await measureRss(run, backlog.samples);
    // 3. P7: trades made visible one by one at a rate well below saturation
    const latencyTrades = Math.round(LATENCY_RATE * LATENCY_SECONDS);
    const p7 = await runLatency(run, latencyTrades);
    // 4. P6: page latency 300 ms, save latency 200 ms, quota Q; naive script, then the pipeline at C = 8
    const naive = await runNaive(run);
    const p6 = await runP6Pipeline(run, ORDERS + 10 + latencyTrades + NAIVE_ORDERS);
    // 5. the report
    writeReport({ messageBytes: run.messageBytes, baseline, backlog, rss, p7, naive, p6 });
  } finally {
    await tearDown(run, startedKafka);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
