import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Kafka } from 'kafkajs';
import { loadMappingFile } from '@app/mapping';
import { type ReconciliationReport } from '@app/reconciliation';
import { testBrokers, testDatabaseUrl, testKafka, uniqueName, waitFor } from '@app/testing';
import { buildClients, reconcileThroughApis } from '../../apps/cli/src';
import {
  startLocalKafka,
  freePorts,
  PipelineStack,
  xingchenCredentials,
  sandboxTradeTimeMs,
  type StackOptions,
} from '@app/stack';
import { formatWdtTime, parseWdtTime, tryParseWdtTime } from '@app/contracts';
import { XINGCHEN_API_FAMILIES, type XingchenApiFamily } from '@app/xingchen-client';

/** Every e2e scenario that touches Xingchen runs against both API families. */
export const xingchenFamilies = XINGCHEN_API_FAMILIES;

export const repo = join(__dirname, '..', '..');
export const demoMapping = join(repo, 'config', 'mapping.demo.yaml');

export interface E2eStack {
  stack: PipelineStack;
  kafka: Kafka;
  namespace: string;
  databaseUrl: string;
  stop: () => Promise<void>;
}

/**
 * The pipeline as separate processes (the built dist/), on its own topics, groups, database and free ports,
 * so an e2e suite never disturbs another. Requires `npm run build` first (the test command does it).
 */
export async function startE2eStack(options: {
  trades: number;
  seed?: number;
  mappingFile?: string;
  env?: StackOptions['env'];
  settled?: boolean;
  /** The Xingchen API family the loader speaks (default v1). */
  xingchenApi?: XingchenApiFamily;
}): Promise<E2eStack> {
  await startLocalKafka();
  const namespace = uniqueName('e2e').replace(/-/g, '_');
  const url = new URL(testDatabaseUrl());
  url.pathname = `/erpsync_${namespace}`;
  const databaseUrl = url.toString();
  const kafka = testKafka('erpsync-e2e');
  const stack = new PipelineStack({
    namespace,
    runDir: join(repo, 'out', 'e2e', namespace),
    databaseUrl,
    brokers: testBrokers(),
    ports: await freePorts(),
    mappingFile: options.mappingFile ?? demoMapping,
    logLevel: 'info',
    xingchenApi: options.xingchenApi,
    env: {
      ...options.env,
      'wdt-sandbox': {
        WDT_SANDBOX_SEED: String(options.seed ?? 7),
        WDT_SANDBOX_TRADES: String(options.trades),
        WDT_SANDBOX_SETTLED: String(options.settled ?? true),
        WDT_SANDBOX_RATE_LIMIT_PER_MINUTE: '6000',
        ...options.env?.['wdt-sandbox'],
      },
      'xingchen-sandbox': {
        XINGCHEN_SANDBOX_RATE_LIMIT_PER_MINUTE: '12000',
        ...options.env?.['xingchen-sandbox'],
      },
      extractor: {
        POLL_INTERVAL_SECONDS: '1',
        SAFETY_LAG_SECONDS: '2',
        WDT_RATE_LIMIT_PER_MINUTE: '5900',
        ...options.env?.extractor,
      },
      loader: { XINGCHEN_RATE_LIMIT_PER_MINUTE: '12000', ...options.env?.loader },
      transformer: { REPLAY_ADMIN_TOKEN: 'e2e-replay-token', ...options.env?.transformer },
    },
  });
  await stack.prepare(kafka, 3);
  try {
    await stack.startSandboxes();
    const first = Math.min(...(await stack.sandboxTrades()).map(sandboxTradeTimeMs));
    stack.setEnv('extractor', { INITIAL_CHECKPOINT: formatWdtTime(first - 60_000) });
    await stack.startServices();
  } catch (error) {
    await stack.stopAll();
    throw error;
  }
  return { stack, kafka, namespace, databaseUrl, stop: () => stack.stopAll() };
}

/** The reconciliation of everything the WDT sandbox holds, through the APIs (as `./erpsync reconcile`). */
export async function reconcileStack(
  e2e: E2eStack,
  mappingFile = demoMapping,
): Promise<ReconciliationReport> {
  const { stack } = e2e;
  const { wdt, xingchen } = buildClients({
    WDT_BASE_URL: stack.url('wdt-sandbox'),
    WDT_RATE_LIMIT_PER_MINUTE: '5900',
    XINGCHEN_BASE_URL: stack.url('xingchen-sandbox'),
    XINGCHEN_RATE_LIMIT_PER_MINUTE: '12000',
    ...xingchenCredentials(stack.xingchenApi),
    DATABASE_URL: e2e.databaseUrl,
    MAPPING_FILE: mappingFile,
  });
  try {
    const modified = (await stack.sandboxTrades()).map(sandboxTradeTimeMs);
    return await reconcileThroughApis({
      kafka: e2e.kafka,
      topics: stack.deadLetterTopics,
      wdt,
      xingchen,
      databaseUrl: e2e.databaseUrl,
      rules: loadMappingFile(mappingFile),
      fromMs: Math.min(...modified),
      toMs: Math.max(...modified),
    });
  } finally {
    xingchen.close();
  }
}

/** An order as the Xingchen sandbox's `GET /__sandbox/orders` lists it (wire names of the family that saved it). */
export interface StoredOrder {
  id: string;
  billno: string;
  family: XingchenApiFamily;
  body: Record<string, unknown> & { material_entity: Array<Record<string, unknown>> };
  /** The stored lines with their entry ids. */
  entries: Array<Record<string, unknown>>;
  modifications: number;
  audited: boolean;
}

export async function xingchenOrders(stack: PipelineStack): Promise<StoredOrder[]> {
  const response = await fetch(`${stack.url('xingchen-sandbox')}/__sandbox/orders`);
  const body = (await response.json()) as { orders?: StoredOrder[] } | StoredOrder[];
  return Array.isArray(body) ? body : (body.orders ?? []);
}

export async function xingchenStats(stack: PipelineStack): Promise<Record<string, unknown>> {
  return (await (await fetch(`${stack.url('xingchen-sandbox')}/__sandbox/stats`)).json()) as Record<
    string,
    unknown
  >;
}

export async function upsertTrades(stack: PipelineStack, trades: unknown[]): Promise<void> {
  const response = await fetch(`${stack.url('wdt-sandbox')}/__sandbox/trades`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ trades }),
  });
  if (!response.ok) throw new Error(`upsert failed: ${response.status} ${await response.text()}`);
}

/** Runs the README's first command as a user would, and returns its exit code and output. */
export function runDemo(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(repo, 'erpsync'), ['demo', '--once', ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** `POST /admin/replay` on the stack's transformer, then its progress until it is no longer running. */
export async function replayThroughAdmin(
  stack: PipelineStack,
  request: Record<string, unknown>,
): Promise<{ status: number; state: string; replayed: number }> {
  const headers = { 'content-type': 'application/json', authorization: 'Bearer e2e-replay-token' };
  const start = await fetch(`${stack.url('transformer')}/admin/replay`, {
    method: 'POST',
    headers,
    body: JSON.stringify(request),
  });
  if (start.status !== 202) return { status: start.status, state: 'refused', replayed: 0 };
  const { id } = (await start.json()) as { id: string };
  const done = await waitFor(
    async () => {
      const response = await fetch(`${stack.url('transformer')}/admin/replay/${id}`, { headers });
      const body = (await response.json()) as { state: string; replayed: number };
      return body.state === 'running' ? undefined : body;
    },
    { timeoutMs: 120000, description: `replay ${id} finished` },
  );
  return { status: start.status, ...done };
}

const FIXTURE_TIME_FIELDS = ['trade_time', 'pay_time', 'created', 'modified'];

/**
 * A fixture moved to the last hours (its newest trade a minute ago), written to `dir`: the demo's
 * extractor starts a minute before the oldest trade and walks to now in one-hour windows, so an old
 * fixture would only make it slow. Unset markers (`0000-00-00 00:00:00`, "") stay as they are; a
 * broken trade without `modified` is placed by its `created`, as the sandbox files it.
 */
export function recentFixtureCopy(file: string, dir: string): string {
  const fixture = JSON.parse(readFileSync(file, 'utf8')) as { trades: Array<Record<string, unknown>> };
  const at = (trade: Record<string, unknown>) =>
    tryParseWdtTime(trade.modified) ?? tryParseWdtTime(trade.created) ?? 0;
  const newest = Math.max(...fixture.trades.map(at));
  const shift = Date.now() - 60_000 - newest;
  for (const trade of fixture.trades) {
    for (const field of FIXTURE_TIME_FIELDS) {
      const value = trade[field];
      if (typeof value === 'string' && tryParseWdtTime(value) !== undefined)
        trade[field] = formatWdtTime(parseWdtTime(value) + shift);
    }
  }
  const copy = join(dir, 'wdt-fixture.json');
  writeFileSync(copy, JSON.stringify(fixture));
  return copy;
}

/** The reconciliation counts of a stack that lost, doubled, kept stale or changed no order. */
export const NO_DRIFT = { missing: 0, duplicated: 0, stale: 0, mismatched: 0 } as const;
