import { mkdirSync } from 'node:fs';
import { type XingchenApiFamily } from '@app/xingchen-client';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { type MappingRules } from '@app/mapping';
import { formatWdtTime, parseWdtTime } from '@app/contracts';
import { isPipelineIdle, seededRandom, sleep, waitUntilSteady } from '@app/runtime';
import { checkSandboxes, type CheckResult } from '../../apps/cli/src';
import {
  repoRoot,
  freePorts,
  PipelineStack,
  type PipelineSnapshot,
  type SandboxName,
  type ServiceName,
  type ManagedProcess,
} from '@app/stack';
import { scrape, type Sample } from '@app/observability';
import { type ChaosInfra, freePort } from './infra';
import { Mutator, type SandboxTrade } from './mutator';

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
  /** Waits (bounded) until the service answers /health/ready 200; a timeout names its last answer. */
  untilReady(name: string, description: string, timeoutMs?: number): Promise<void>;
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

/** What a run's context methods record and its result reads. */
interface RunState {
  notes: string[];
  failures: string[];
  /** The instances this run started, by name or alias. */
  current: Map<string, ManagedProcess>;
  extraPorts: Map<string, number>;
  /** When the scenario cleared its last fault. */
  clearedAt?: number;
}

/** One scenario's own stack: namespace, run directory, database, topics and free ports. */
async function scenarioStack(
  scenario: Scenario,
  options: RunOptions,
): Promise<{ stack: PipelineStack; kafka: Kafka; runDir: string; trades: number }> {
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
  return { stack, kafka, runDir, trades };
}

/** Polls `condition` every 250 ms until it holds (a throwing condition counts as not yet). */
async function pollUntil(
  description: string,
  condition: () => Promise<boolean>,
  timeoutMs = 120000,
  lastSeen?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${description}${lastSeen ? ` (${lastSeen()})` : ''}`,
      );
    await sleep(250);
  }
}

/** Starting and signalling the services of a run (the instances it started, by name or alias). */
function processControls(
  stack: PipelineStack,
  state: RunState,
): Pick<ScenarioContext, 'process' | 'start' | 'startExtra' | 'signal'> {
  return {
    process: (name) => state.current.get(name),
    async start(name) {
      const managed = await stack.startService(name);
      state.current.set(name, managed);
      return managed;
    },
    async startExtra(alias, name, env = {}) {
      const port = await freePort();
      state.extraPorts.set(alias, port);
      const managed = stack.supervisor.start(
        alias,
        process.execPath,
        [join(repoRoot, 'scripts', 'start.js'), name],
        { ...stack.envOf(name), HTTP_PORT: String(port), ...env },
      );
      state.current.set(alias, managed);
      await pollUntil(
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
      const managed = state.current.get(name);
      if (!managed || managed.exitCode !== undefined) return;
      managed.child.kill(signal);
      const timer = setTimeout(() => managed.child.kill('SIGKILL'), 30000);
      await managed.exited;
      clearTimeout(timer);
    },
  };
}

/** A service's /health/ready status and body (status 0: no answer within 3 s). */
async function readiness(url: string): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3000) });
    return { status: response.status, body: (await response.text()).slice(0, 600) };
  } catch (error) {
    return { status: 0, body: (error as Error).message };
  }
}

/** The sandboxes' fault switches and statistics, and every process's metrics and readiness. */
function probeControls(
  stack: PipelineStack,
  state: RunState,
): Pick<
  ScenarioContext,
  'wdtFaults' | 'xingchenFaults' | 'xingchenStats' | 'metrics' | 'ready' | 'untilReady'
> {
  const urlOf = (name: string): string =>
    state.extraPorts.has(name)
      ? `http://127.0.0.1:${state.extraPorts.get(name)}`
      : stack.url(name as ProcessName);
  return {
    wdtFaults: async (faults) =>
      void (await postJson(`${stack.url('wdt-sandbox')}/__sandbox/faults`, faults)),
    xingchenFaults: async (faults) =>
      void (await postJson(`${stack.url('xingchen-sandbox')}/__sandbox/faults`, faults)),
    xingchenStats: async () =>
      (await (await fetch(`${stack.url('xingchen-sandbox')}/__sandbox/stats`)).json()) as XingchenStats,
    metrics: (name) => scrape(`${urlOf(name)}/metrics`),
    ready: async (name) => (await readiness(urlOf(name))).status,
    untilReady: async (name, description, timeoutMs = 120000) => {
      let last = 'no answer yet';
      await pollUntil(
        description,
        async () => {
          const answer = await readiness(urlOf(name));
          last = `last /health/ready: ${answer.status} ${answer.body}`;
          return answer.status === 200;
        },
        timeoutMs,
        () => last,
      );
    },
  };
}

/** The context a scenario's hooks see; its notes, failures and processes land in `state`. */
function scenarioContext(
  scenario: Scenario,
  options: RunOptions,
  run: { stack: PipelineStack; kafka: Kafka; log: (line: string) => void },
  state: RunState,
): ScenarioContext {
  const { stack, kafka, log } = run;
  const seed = options.seed;
  return {
    id: scenario.id,
    stack,
    kafka,
    infra: options.infra,
    rules: options.rules,
    random: seededRandom(seed * 7919 + scenario.id.charCodeAt(1)),
    mutator: new Mutator(stack.url('wdt-sandbox'), seededRandom(seed * 31 + 7), log),
    log: (line) => log(`[${scenario.id}] ${line}`),
    note: (line) => {
      state.notes.push(line);
      log(`[${scenario.id}] note: ${line}`);
    },
    fail: (line) => {
      state.failures.push(line);
      log(`[${scenario.id}] FAIL: ${line}`);
    },
    faultsCleared: () => {
      state.clearedAt = Date.now();
    },
    ...processControls(stack, state),
    ...probeControls(stack, state),
    sleep,
    until: pollUntil,
    snapshot: () => stack.snapshot(kafka),
  };
}

/** Both sandboxes, the scenario's setup, an hour-aligned initial checkpoint, then the three services. */
async function startPipeline(ctx: ScenarioContext, scenario: Scenario, state: RunState): Promise<void> {
  const { stack } = ctx;
  await stack.prepare(ctx.kafka, 3);
  await stack.startSandboxes();
  for (const name of ['wdt-sandbox', 'xingchen-sandbox'] as const) {
    const managed = stack.supervisor.get(name);
    if (managed) state.current.set(name, managed);
  }
  await scenario.setup?.(ctx);
  const sandboxTrades = await ctx.mutator.trades();
  const firstModified = Math.min(...sandboxTrades.map((t) => parseWdtTime(t.modified)));
  // an hour-aligned start: with the windows' hour span, xx:59:59 and xx:00:00 fall on window edges
  const hour = Math.floor(firstModified / 3_600_000) * 3_600_000;
  stack.setEnv('extractor', { INITIAL_CHECKPOINT: formatWdtTime(hour - 1000) });
  for (const name of ['extractor', 'transformer', 'loader'] as const) await ctx.start(name);
}

/**
 * The scenario's faults with the mutator alongside; then no fault is left on and every service
 * runs again. Returns when recovery starts: the later of the last fault cleared and the last
 * modification posted.
 */
async function injectFaults(ctx: ScenarioContext, scenario: Scenario, state: RunState): Promise<number> {
  const mutating = ctx.mutator.run(scenario.mutationRounds ?? 8, 1500);
  try {
    await scenario.run(ctx);
  } finally {
    await mutating;
  }
  const clearedAt = Math.max(state.clearedAt ?? 0, Date.now());
  await ctx.wdtFaults({ latencyMs: 0, errorRate: 0, serverErrorRate: 0, malformedRate: 0 });
  await ctx.xingchenFaults({
    errorRate: 0,
    timeoutAfterApplyRate: 0,
    errorAfterApplyRate: 0,
    latencyMs: 0,
  });
  for (const name of ['extractor', 'transformer', 'loader'] as const) {
    const managed = state.current.get(name);
    if (!managed || managed.exitCode !== undefined) {
      ctx.log(`${name} is not running after the faults: starting it`);
      await ctx.start(name);
    }
  }
  return clearedAt;
}

/** What the checker found; filled as it goes, so that a later failure keeps what was found. */
interface CheckOutcome {
  check?: CheckResult;
  listedPoison: number;
}

/**
 * The checker's verdict on the idle pipeline (also recorded in `outcome`). Planted poison must be listed (missing, or
 * dead-lettered at its hop: extractor dead letters included) and is then not counted; any other
 * dead letter counts as missing in the row.
 */
async function checkScenario(
  ctx: ScenarioContext,
  scenario: Scenario,
  options: RunOptions,
  outcome: CheckOutcome,
): Promise<CheckResult> {
  const { stack } = ctx;
  const check = await checkSandboxes({
    wdtUrl: stack.url('wdt-sandbox'),
    xingchenUrl: stack.url('xingchen-sandbox'),
    databaseUrl: stack.envOf('loader').DATABASE_URL,
    rules: options.rules,
    kafka: ctx.kafka,
    topics: stack.deadLetterTopics,
  });
  outcome.check = check;
  const expected = new Set(scenario.expectedUnsyncable?.(ctx) ?? []);
  const listed = new Set([
    ...check.report.missing.filter((entry) => expected.has(entry.billNo)).map((e) => e.billNo),
    ...check.report.dead_lettered.filter((entry) => expected.has(entry.tradeNo)).map((e) => e.tradeNo),
  ]);
  outcome.listedPoison = listed.size;
  check.report.missing = check.report.missing.filter((entry) => !expected.has(entry.billNo));
  check.report.dead_lettered = check.report.dead_lettered.filter((entry) => !expected.has(entry.tradeNo));
  check.problems.missing = check.report.missing.length + check.report.dead_lettered.length;
  check.problems.deadLettered = check.report.dead_lettered.length;
  if (expected.size > 0) {
    const unlisted = [...expected].filter((billNo) => !listed.has(billNo));
    if (unlisted.length) ctx.fail(`planted poison not listed by the checker: ${unlisted.join(', ')}`);
  }
  if (check.pendingLedger > 0) ctx.fail(`${check.pendingLedger} ledger rows still pending`);
  return check;
}

/**
 * Runs one scenario on a fresh stack (database, topics, sandboxes, three services as processes):
 * faults and modifications, then waits for the pipeline to be idle, runs the checker and tears
 * everything down whatever happened.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const log = options.log ?? (() => undefined);
  const startedAt = Date.now();
  const { stack, kafka, runDir, trades } = await scenarioStack(scenario, options);
  const state: RunState = { notes: [], failures: [], current: new Map(), extraPorts: new Map() };
  const ctx = scenarioContext(scenario, options, { stack, kafka, log }, state);
  const outcome: CheckOutcome = { listedPoison: 0 };
  let recoverySeconds: number | null = null;
  try {
    log(
      `[${scenario.id}] ${scenario.fault} — seed ${options.seed}, ${trades} trades, logs in ${runDir}/logs`,
    );
    await startPipeline(ctx, scenario, state);
    const clearedAt = await injectFaults(ctx, scenario, state);
    await waitIdle(ctx, options.idleTimeoutMs ?? 240000);
    recoverySeconds = Math.round((Date.now() - clearedAt) / 100) / 10;
    const check = await checkScenario(ctx, scenario, options, outcome);
    await scenario.verify?.(ctx, check);
  } catch (error) {
    state.failures.push(error instanceof Error ? error.message : String(error));
    log(`[${scenario.id}] ERROR: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await stack.stopAll().catch((error: unknown) => state.failures.push(`teardown: ${String(error)}`));
  }
  return scenarioResult(scenario, {
    seed: options.seed,
    trades,
    outcome,
    recoverySeconds,
    durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    modifications: ctx.mutator.modifications,
    state,
    logDir: join(runDir, 'logs'),
  });
}

/** The row of the report: the checker's counts (-1 when it never ran), passed only when all are 0. */
function scenarioResult(
  scenario: Scenario,
  run: {
    seed: number;
    trades: number;
    outcome: CheckOutcome;
    recoverySeconds: number | null;
    durationSeconds: number;
    modifications: number;
    state: RunState;
    logDir: string;
  },
): ScenarioResult {
  const { check, listedPoison } = run.outcome;
  const { failures, notes } = run.state;
  const p = check?.problems;
  const result: ScenarioResult = {
    id: scenario.id,
    fault: scenario.fault,
    seed: run.seed,
    trades: run.trades,
    orders: check?.report.counts.expectedOrders ?? 0,
    xingchenOrders: check?.report.counts.xingchenOrders ?? 0,
    missing: p?.missing ?? -1,
    duplicates: p?.duplicates ?? -1,
    stale: p?.stale ?? -1,
    mismatched: p?.mismatched ?? -1,
    listedPoison,
    recoverySeconds: run.recoverySeconds,
    durationSeconds: run.durationSeconds,
    modifications: run.modifications,
    passed: false,
    failures,
    notes,
    logDir: run.logDir,
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

/** Idle twice in a row: checkpoint past every visible trade, every group at the end, nothing pending. */
async function waitIdle(ctx: ScenarioContext, timeoutMs: number): Promise<PipelineSnapshot> {
  let last: PipelineSnapshot | undefined;
  const idle = await waitUntilSteady({
    timeoutMs,
    probe: async () => {
      for (const name of ['extractor', 'transformer', 'loader']) {
        const managed = ctx.process(name);
        if (managed && managed.exitCode !== undefined)
          throw new Error(`${name} exited by itself with code ${managed.exitCode} (log: ${managed.logFile})`);
      }
      last = await ctx.snapshot().catch(() => last);
      const trades = (await ctx.mutator.trades().catch(() => [])) as SandboxTrade[];
      const latest = Math.max(0, ...trades.map((t) => parseWdtTime(t.modified)));
      return { reading: last, idle: last !== undefined && isPipelineIdle(last, latest) };
    },
    timeoutMessage: (reading) =>
      `the pipeline did not become idle within ${timeoutMs / 1000} s: ${JSON.stringify(reading)}`,
  });
  // two idle readings in a row: never undefined
  return idle!;
}
