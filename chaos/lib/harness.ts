import { mkdirSync } from 'node:fs';
import { type XingchenApiFamily } from '@app/xingchen-client';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { type MappingRules } from '@app/mapping';
import { formatWdtTime, parseWdtTime } from '@app/contracts';
import { checkSandboxes, type CheckResult } from '../../apps/cli/src';
import {
  repoRoot,
  freePorts,
  PipelineStack,
  type PipelineSnapshot,
  type SandboxName,
  type ServiceName,
  type ManagedProcess,
  scrape,
  type Sample,
} from '@app/stack';
import { type ChaosInfra, freePort } from './infra';
import { Mutator, type SandboxTrade } from './mutator';
import { seededRandom } from './random';

export type ProcessName = ServiceName | SandboxName;

/** Quotas of the chaos sandboxes: generous, so the faults (not the quota) decide the pace. */
export const WDT_QUOTA_PER_MINUTE = 3000;
export const XINGCHEN_QUOTA_PER_MINUTE = 12000;

export interface ScenarioContext {
  id: string;
  stack: PipelineStack;
  kafka: Kafka;
  infra: ChaosInfra;
  rules: MappingRules;
  random: () => number;
  mutator: Mutator;
  log(line: string): void;
  /** Notes for the report (what the scenario did and saw). */
  note(line: string): void;
  /** A failed scenario-specific assertion (the row fails). */
  fail(line: string): void;
  /** Marks the moment the last fault was cleared (recovery time is measured from here). */
  faultsCleared(): void;
  process(name: string): ManagedProcess | undefined;
  start(name: ServiceName): Promise<ManagedProcess>;
  /** Starts another instance of a service under an alias (its own HTTP port). */
  startExtra(alias: string, name: ServiceName, env?: Record<string, string>): Promise<ManagedProcess>;
  /** Signals the instance this suite started under that name, by its PID; resolves when it exited. */
  signal(name: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  wdtFaults(faults: Record<string, unknown>): Promise<void>;
  xingchenFaults(faults: Record<string, unknown>): Promise<void>;
  xingchenStats(): Promise<XingchenStats>;
  metrics(name: string): Promise<Sample[]>;
  ready(name: string): Promise<number>;
  sleep(ms: number): Promise<void>;
  /** Waits (bounded) until `condition` holds. */
  until(description: string, condition: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  snapshot(): Promise<PipelineSnapshot>;
}

export interface XingchenStats {
  calls: Record<string, Record<string, number>>;
  tokensIssued: number;
  ordersCreated: number;
  ordersModified: number;
  throttled: number;
}

export interface Scenario {
  id: string;
  fault: string;
  /** In the CI subset (test/fault/*.spec.ts). */
  trades?: number;
  env?: Partial<Record<ProcessName, Record<string, string>>>;
  /** Extra setup after the sandboxes started and before the services start. */
  setup?(ctx: ScenarioContext): Promise<void>;
  /** Injects the faults (the mutator runs alongside); calls ctx.faultsCleared() when the last one is off. */
  run(ctx: ScenarioContext): Promise<void>;
  /** Scenario-specific checks after the pipeline is idle. */
  verify?(ctx: ScenarioContext, check: CheckResult): Promise<void>;
  /** Planted trades the checker must list (poison): not counted as missing. */
  expectedUnsyncable?(ctx: ScenarioContext): string[];
  /** How many modification rounds the mutator runs (default 8). */
  mutationRounds?: number;
}

export interface ScenarioResult {
  id: string;
  fault: string;
  seed: number;
  trades: number;
  orders: number;
  xingchenOrders: number;
  missing: number;
  duplicates: number;
  stale: number;
  mismatched: number;
  /** Planted poison the checker listed as expected. */
  listedPoison: number;
  recoverySeconds: number | null;
  durationSeconds: number;
  modifications: number;
  passed: boolean;
  failures: string[];
  notes: string[];
  problems?: CheckResult['report'];
  logDir: string;
}

export interface RunOptions {
  infra: ChaosInfra;
  rules: MappingRules;
  mappingFile: string;
  seed: number;
  outDir: string;
  /** Default trades per scenario. */
  trades: number;
  log?: (line: string) => void;
  /** Longest wait for the pipeline to become idle after the faults. */
  idleTimeoutMs?: number;
  /** The Xingchen API family the loader speaks (default v1). */
  xingchenApi?: XingchenApiFamily;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Base environment of every chaos stack (short intervals so a scenario takes a minute or two). */
function baseEnv(seed: number, trades: number): Partial<Record<ProcessName, Record<string, string>>> {
  return {
    'wdt-sandbox': {
      WDT_SANDBOX_SEED: String(seed),
      WDT_SANDBOX_TRADES: String(trades),
      WDT_SANDBOX_SETTLED: 'true',
      WDT_SANDBOX_HISTORY_SECONDS: String(6 * 3600),
      WDT_SANDBOX_RATE_LIMIT_PER_MINUTE: String(WDT_QUOTA_PER_MINUTE),
    },
    'xingchen-sandbox': { XINGCHEN_SANDBOX_RATE_LIMIT_PER_MINUTE: String(XINGCHEN_QUOTA_PER_MINUTE) },
    extractor: {
      POLL_INTERVAL_SECONDS: '1',
      SAFETY_LAG_SECONDS: '5',
      WINDOW_OVERLAP_SECONDS: '10',
      LEASE_TTL_SECONDS: '6',
      WDT_RATE_LIMIT_PER_MINUTE: String(WDT_QUOTA_PER_MINUTE - 100),
      WDT_RATE_LIMIT_BACKOFF_SECONDS: '2',
      WDT_TIMEOUT_SECONDS: '5',
      SHUTDOWN_TIMEOUT_SECONDS: '10',
      KAFKA_TOPIC_PARTITIONS: '3',
    },
    transformer: {
      SHUTDOWN_TIMEOUT_SECONDS: '10',
      KAFKA_TOPIC_PARTITIONS: '3',
      CONSUMER_SESSION_TIMEOUT_MS: '10000',
    },
    loader: {
      XINGCHEN_RATE_LIMIT_PER_MINUTE: String(XINGCHEN_QUOTA_PER_MINUTE),
      XINGCHEN_REQUEST_TIMEOUT_SECONDS: '3',
      SHUTDOWN_TIMEOUT_SECONDS: '10',
      KAFKA_TOPIC_PARTITIONS: '3',
      CONSUMER_SESSION_TIMEOUT_MS: '10000',
    },
  };
}

const mergeEnv = (
  ...layers: Array<Partial<Record<ProcessName, Record<string, string>>> | undefined>
): Partial<Record<ProcessName, Record<string, string>>> => {
  const merged: Partial<Record<ProcessName, Record<string, string>>> = {};
  for (const layer of layers)
    for (const [name, vars] of Object.entries(layer ?? {}) as Array<[ProcessName, Record<string, string>]>)
      merged[name] = { ...(merged[name] ?? {}), ...vars };
  return merged;
};

async function postJson(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

/**
 * Runs one scenario on a fresh stack (database, topics, sandboxes, three services as processes):
 * faults and modifications, then waits for the pipeline to be idle, runs the checker and tears
 * everything down whatever happened.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const log = options.log ?? (() => undefined);
  const startedAt = Date.now();
  const seed = options.seed;
  const trades = scenario.trades ?? options.trades;
  const namespace = `chaos-${scenario.id.toLowerCase()}-${seed}`;
  const runDir = join(options.outDir, namespace);
  mkdirSync(runDir, { recursive: true });
  const ports = await freePorts();
  const stack = new PipelineStack({
    namespace,
    runDir,
    databaseUrl: options.infra.databaseUrl(`erpsync_${namespace.replace(/[^a-z0-9]/g, '_')}`),
    brokers: options.infra.brokers,
    ports,
    mappingFile: options.mappingFile,
    env: mergeEnv(baseEnv(seed, trades), scenario.env),
    logLevel: 'info',
    xingchenApi: options.xingchenApi,
  });
  const kafka = new Kafka({
    brokers: options.infra.brokers,
    clientId: 'erpsync-chaos',
    logLevel: logLevel.NOTHING,
  });
  const random = seededRandom(seed * 7919 + scenario.id.charCodeAt(1));
  const notes: string[] = [];
  const failures: string[] = [];
  const current = new Map<string, ManagedProcess>();
  const extraPorts = new Map<string, number>();
  let clearedAt: number | undefined;
  const mutator = new Mutator(stack.url('wdt-sandbox'), seededRandom(seed * 31 + 7), log);

  const until = async (description: string, condition: () => Promise<boolean>, timeoutMs = 120000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await condition().catch(() => false)) return;
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${description}`);
      await sleep(250);
    }
  };

  const ctx: ScenarioContext = {
    id: scenario.id,
    stack,
    kafka,
    infra: options.infra,
    rules: options.rules,
    random,
    mutator,
    log: (line) => log(`[${scenario.id}] ${line}`),
    note: (line) => {
      notes.push(line);
      log(`[${scenario.id}] note: ${line}`);
    },
    fail: (line) => {
      failures.push(line);
      log(`[${scenario.id}] FAIL: ${line}`);
    },
    faultsCleared: () => {
      clearedAt = Date.now();
    },
    process: (name) => current.get(name),
    async start(name) {
      const managed = await stack.startService(name);
      current.set(name, managed);
      return managed;
    },
    async startExtra(alias, name, env = {}) {
      const port = await freePort();
      extraPorts.set(alias, port);
      const managed = stack.supervisor.start(
        alias,
        process.execPath,
        [join(repoRoot, 'scripts', 'start.js'), name],
        { ...stack.envOf(name), HTTP_PORT: String(port), ...env },
      );
      current.set(alias, managed);
      await until(
        `${alias} ready`,
        async () => {
          if (managed.exitCode !== undefined) throw new Error(`${alias} exited (log: ${managed.logFile})`);
          return (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok;
        },
        90000,
      );
      return managed;
    },
    async signal(name, signal) {
      const managed = current.get(name);
      if (!managed || managed.exitCode !== undefined) return;
      managed.child.kill(signal);
      const timer = setTimeout(() => managed.child.kill('SIGKILL'), 30000);
      await managed.exited;
      clearTimeout(timer);
    },
    wdtFaults: async (faults) =>
      void (await postJson(`${stack.url('wdt-sandbox')}/__sandbox/faults`, faults)),
    xingchenFaults: async (faults) =>
      void (await postJson(`${stack.url('xingchen-sandbox')}/__sandbox/faults`, faults)),
    xingchenStats: async () =>
      (await (await fetch(`${stack.url('xingchen-sandbox')}/__sandbox/stats`)).json()) as XingchenStats,
    metrics: (name) => scrape(`${urlOf(name)}/metrics`),
    ready: async (name) => {
      try {
        return (await fetch(`${urlOf(name)}/health/ready`, { signal: AbortSignal.timeout(3000) })).status;
      } catch {
        return 0;
      }
    },
    sleep,
    until,
    snapshot: () => stack.snapshot(kafka),
  };
  const urlOf = (name: string): string =>
    extraPorts.has(name) ? `http://127.0.0.1:${extraPorts.get(name)}` : stack.url(name as ProcessName);

  let check: CheckResult | undefined;
  let recoverySeconds: number | null = null;
  let listedPoison = 0;
  try {
    log(`[${scenario.id}] ${scenario.fault} — seed ${seed}, ${trades} trades, logs in ${runDir}/logs`);
    await stack.prepare(kafka, 3);
    await stack.startSandboxes();
    for (const name of ['wdt-sandbox', 'xingchen-sandbox'] as const) {
      const managed = stack.supervisor.get(name);
      if (managed) current.set(name, managed);
    }
    await scenario.setup?.(ctx);
    const sandboxTrades = await mutator.trades();
    const firstModified = Math.min(...sandboxTrades.map((t) => parseWdtTime(t.modified)));
    // an hour-aligned start: with the windows' hour span, xx:59:59 and xx:00:00 fall on window edges
    const hour = Math.floor(firstModified / 3_600_000) * 3_600_000;
    stack.setEnv('extractor', { INITIAL_CHECKPOINT: formatWdtTime(hour - 1000) });
    for (const name of ['extractor', 'transformer', 'loader'] as const) await ctx.start(name);

    const mutating = mutator.run(scenario.mutationRounds ?? 8, 1500);
    try {
      await scenario.run(ctx);
    } finally {
      await mutating;
    }
    // recovery is measured from the later of: the last fault cleared, the last modification posted
    clearedAt = Math.max(clearedAt ?? 0, Date.now());
    // whatever the scenario did, every service runs again and no fault is left on
    await ctx.wdtFaults({ latencyMs: 0, errorRate: 0, serverErrorRate: 0, malformedRate: 0 });
    await ctx.xingchenFaults({
      errorRate: 0,
      timeoutAfterApplyRate: 0,
      errorAfterApplyRate: 0,
      latencyMs: 0,
    });
    for (const name of ['extractor', 'transformer', 'loader'] as const) {
      const managed = current.get(name);
      if (!managed || managed.exitCode !== undefined) {
        ctx.log(`${name} is not running after the faults: starting it`);
        await ctx.start(name);
      }
    }
    await waitIdle(ctx, options.idleTimeoutMs ?? 240000);
    recoverySeconds = Math.round((Date.now() - clearedAt) / 100) / 10;
    check = await checkSandboxes({
      wdtUrl: stack.url('wdt-sandbox'),
      xingchenUrl: stack.url('xingchen-sandbox'),
      databaseUrl: stack.envOf('loader').DATABASE_URL,
      rules: options.rules,
      kafka: ctx.kafka,
      topics: stack.deadLetterTopics,
    });
    // planted poison must be listed (missing, or dead-lettered at its hop: extractor dead letters
    // included) and is then not counted; any other dead letter counts as missing in the row
    const expected = new Set(scenario.expectedUnsyncable?.(ctx) ?? []);
    const listed = new Set([
      ...check.report.missing.filter((entry) => expected.has(entry.billNo)).map((e) => e.billNo),
      ...check.report.dead_lettered.filter((entry) => expected.has(entry.tradeNo)).map((e) => e.tradeNo),
    ]);
    listedPoison = listed.size;
    check.report.missing = check.report.missing.filter((entry) => !expected.has(entry.billNo));
    check.report.dead_lettered = check.report.dead_lettered.filter((entry) => !expected.has(entry.tradeNo));
    check.problems.missing = check.report.missing.length + check.report.dead_lettered.length;
    check.problems.deadLettered = check.report.dead_lettered.length;
    if (expected.size > 0) {
      const unlisted = [...expected].filter((billNo) => !listed.has(billNo));
      if (unlisted.length) ctx.fail(`planted poison not listed by the checker: ${unlisted.join(', ')}`);
    }
    if (check.pendingLedger > 0) ctx.fail(`${check.pendingLedger} ledger rows still pending`);
    await scenario.verify?.(ctx, check);
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
    log(`[${scenario.id}] ERROR: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await stack.stopAll().catch((error: unknown) => failures.push(`teardown: ${String(error)}`));
  }
  const p = check?.problems;
  const result: ScenarioResult = {
    id: scenario.id,
    fault: scenario.fault,
    seed,
    trades,
    orders: check?.report.counts.expectedOrders ?? 0,
    xingchenOrders: check?.report.counts.xingchenOrders ?? 0,
    missing: p?.missing ?? -1,
    duplicates: p?.duplicates ?? -1,
    stale: p?.stale ?? -1,
    mismatched: p?.mismatched ?? -1,
    listedPoison,
    recoverySeconds,
    durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    modifications: mutator.modifications,
    passed: false,
    failures,
    notes,
    logDir: join(runDir, 'logs'),
  };
  result.passed =
    failures.length === 0 &&
    check !== undefined &&
    result.missing === 0 &&
    result.duplicates === 0 &&
    result.stale === 0 &&
    result.mismatched === 0;
  if (check && !result.passed) result.problems = check.report;
  return result;
}

/** Idle: the checkpoint covers every visible trade, every consumer group is at the end, no intent pending. */
export function isIdle(snapshot: PipelineSnapshot, latestModifiedMs: number): boolean {
  return (
    snapshot.checkpointSeconds * 1000 >= latestModifiedMs &&
    snapshot.rawLag === 0 &&
    snapshot.replayLag === 0 &&
    snapshot.normalizedLag === 0 &&
    snapshot.pendingLedger === 0
  );
}

/** Idle twice in a row: checkpoint past every visible trade, every group at the end, nothing pending. */
async function waitIdle(ctx: ScenarioContext, timeoutMs: number): Promise<PipelineSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let streak = 0;
  let last: PipelineSnapshot | undefined;
  for (;;) {
    for (const name of ['extractor', 'transformer', 'loader']) {
      const managed = ctx.process(name);
      if (managed && managed.exitCode !== undefined)
        throw new Error(`${name} exited by itself with code ${managed.exitCode} (log: ${managed.logFile})`);
    }
    last = await ctx.snapshot().catch(() => last);
    const trades = (await ctx.mutator.trades().catch(() => [])) as SandboxTrade[];
    const latest = Math.max(0, ...trades.map((t) => parseWdtTime(t.modified)));
    const idle = last !== undefined && isIdle(last, latest);
    streak = idle ? streak + 1 : 0;
    if (streak >= 2 && last) return last;
    if (Date.now() > deadline)
      throw new Error(
        `the pipeline did not become idle within ${timeoutMs / 1000} s: ${JSON.stringify(last)}`,
      );
    await sleep(1000);
  }
}
