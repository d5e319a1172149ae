import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loadMappingFile, type MappingRules } from '@app/mapping';
import { formatReport } from '@app/reconciliation';
import { formatWdtTime } from '@app/contracts';
import { intOption, stringOption, UsageError, type CommandSpec, type ParsedArgs } from './args';
import { cliKafkaEnv, loadCliEnv } from './cli-config';
import { ProgressView } from './progress-view';
import { buildClients } from './clients';
import { reconcileThroughApis } from '@app/operations';
import {
  localDatabaseEnv,
  openLocalDatabase,
  repoRoot,
  startLocalKafka,
  stopLocalKafka,
  PipelineStack,
  sandboxTradeTimeMs,
  xingchenCredentials,
} from '@app/stack';
import { hashPassword } from '@app/runtime';
import { XINGCHEN_API_FAMILIES, type XingchenApiFamily } from '@app/xingchen-client';

/** Quotas of the demo's sandboxes and clients: generous, so a day of orders syncs in a minute or two. */
const DEMO_WDT_QUOTA_PER_MINUTE = 3000;
const DEMO_XINGCHEN_QUOTA_PER_MINUTE = 12000;

/** The demo console's sign-ins (demo only: a real console gets CONSOLE_USERS from a Secret). */
export const DEMO_CONSOLE_LOGINS = [
  { user: 'operator', role: 'operator', password: 'operator-demo' },
  { user: 'viewer', role: 'viewer', password: 'viewer-demo' },
] as const;

/** The demo database: the server of DATABASE_URL, database `<name>_demo` (dropped and recreated each run). */
export function demoDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1)) || 'erpsync';
  url.pathname = `/${name.endsWith('_demo') ? name : `${name}_demo`}`;
  return url.toString();
}

interface DemoOptions {
  once: boolean;
  outDir: string;
  runDir: string;
  mappingFile: string;
  wdtFixture?: string;
  xingchenFixture?: string;
  trades: number;
  seed: number;
  timeoutSeconds: number;
  xingchenApi: XingchenApiFamily;
  /** The demo database, see demoDatabaseUrl. */
  databaseUrl: string;
}

/** The demo's options, validated before anything starts. */
function demoOptions(args: ParsedArgs): Omit<DemoOptions, 'databaseUrl'> {
  const outDir = resolve(stringOption(args, 'out') ?? join(repoRoot, 'out', 'demo'));
  return {
    once: args.options.once === true,
    outDir,
    runDir: join(outDir, 'run'),
    mappingFile: resolve(stringOption(args, 'mapping') ?? join(repoRoot, 'config', 'mapping.demo.yaml')),
    wdtFixture: stringOption(args, 'wdt-fixture'),
    xingchenFixture: stringOption(args, 'xingchen-fixture'),
    trades: intOption(args, 'trades', 2000),
    seed: intOption(args, 'seed', 42),
    timeoutSeconds: intOption(args, 'timeout', 900),
    xingchenApi: xingchenApiOption(args),
  };
}

/** The stack of the demo: both sandboxes and the three services, with the demo's quotas and data. */
function demoStack(o: DemoOptions, brokers: string[]): PipelineStack {
  return new PipelineStack({
    runDir: o.runDir,
    databaseUrl: o.databaseUrl,
    brokers,
    mappingFile: o.mappingFile,
    xingchenApi: o.xingchenApi,
    env: {
      'wdt-sandbox': {
        WDT_SANDBOX_SEED: String(o.seed),
        WDT_SANDBOX_TRADES: String(o.trades),
        WDT_SANDBOX_RATE_LIMIT_PER_MINUTE: String(DEMO_WDT_QUOTA_PER_MINUTE),
        // --once needs a finished history; the open-ended demo keeps orders moving as time passes
        WDT_SANDBOX_SETTLED: o.once ? 'true' : 'false',
        ...(o.wdtFixture ? { WDT_SANDBOX_FIXTURE: resolve(o.wdtFixture) } : {}),
      },
      'xingchen-sandbox': {
        XINGCHEN_SANDBOX_RATE_LIMIT_PER_MINUTE: String(DEMO_XINGCHEN_QUOTA_PER_MINUTE),
        ...(o.xingchenFixture ? { XINGCHEN_SANDBOX_FIXTURE: resolve(o.xingchenFixture) } : {}),
      },
      extractor: {
        POLL_INTERVAL_SECONDS: '2',
        SAFETY_LAG_SECONDS: '5',
        WDT_RATE_LIMIT_PER_MINUTE: String(DEMO_WDT_QUOTA_PER_MINUTE - 100),
      },
      loader: { XINGCHEN_RATE_LIMIT_PER_MINUTE: String(DEMO_XINGCHEN_QUOTA_PER_MINUTE) },
    },
  });
}

type Say = (line: string) => void;

export async function demoCommand(args: ParsedArgs): Promise<number> {
  const options = demoOptions(args);
  const rules = loadMappingFile(options.mappingFile); // fails early, naming the bad key
  const kafkaConfig = loadCliEnv(cliKafkaEnv);
  mkdirSync(options.runDir, { recursive: true });
  const say: Say = (line) => process.stdout.write(`${line}\n`);
  const database = await openLocalDatabase();
  const o: DemoOptions = { ...options, databaseUrl: demoDatabaseUrl(database.url) };

  say(
    `erpsync demo: Xingchen API ${o.xingchenApi} (${o.xingchenApi === 'v1' ? 'legacy /jdy/sal/sal_order_save' : 'open platform /jdy/v2/scm/sal_order'}); ${o.once ? 'runs until idle, then reconciles' : 'runs until Ctrl-C'}; logs in ${join(o.runDir, 'logs')}`,
  );
  say(database.description);
  let startedKafka = false;
  let stack: PipelineStack | undefined;
  let stopping: Promise<void> | undefined;
  const stopEverything = () => {
    stopping ??= (async () => {
      say('\nstopping everything the demo started…');
      await stack?.stopAll();
      if (startedKafka) await stopLocalKafka();
      await database.stop();
    })();
    return stopping;
  };
  const onSignal = () => void stopEverything().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runDemo(o, kafkaConfig, rules, say, {
      kafkaStarted: () => (startedKafka = true),
      stackCreated: (created) => (stack = created),
    });
  } finally {
    await stopEverything();
  }
}

async function runDemo(
  o: DemoOptions,
  kafkaConfig: ReturnType<typeof loadCliEnv<typeof cliKafkaEnv>>,
  rules: MappingRules,
  say: Say,
  track: { kafkaStarted: () => void; stackCreated: (stack: PipelineStack) => void },
): Promise<number> {
  const startedKafka = await startLocalKafka();
  if (startedKafka) track.kafkaStarted();
  say(startedKafka ? 'kafka: local broker started' : `kafka: using ${kafkaConfig.KAFKA_BROKERS.join(',')}`);
  const kafka = new Kafka({
    brokers: kafkaConfig.KAFKA_BROKERS,
    clientId: 'erpsync-demo',
    logLevel: logLevel.NOTHING,
  });

  const stack = demoStack(o, kafkaConfig.KAFKA_BROKERS);
  track.stackCreated(stack);
  await stack.prepare(kafka, kafkaConfig.KAFKA_TOPIC_PARTITIONS);
  say(
    `postgres: ${new URL(o.databaseUrl).pathname.slice(1)} recreated and migrated; kafka: pipeline topics and groups reset`,
  );

  const modifiedTimes = await startPipeline(stack, o, say);
  const view = new ProgressView(process.stdout, modifiedTimes.length, `Xingchen ${o.xingchenApi}`);
  const watch = () =>
    stack.waitUntilIdle(kafka, {
      timeoutMs: o.timeoutSeconds * 1000,
      onSnapshot: (snapshot, idle) => view.render(snapshot, idle ? '(idle)' : ''),
    });
  await watch();
  // without --once the demo keeps syncing (orders keep changing in the sandbox) until Ctrl-C
  while (!o.once) await watch().catch(() => undefined);

  say('\npipeline idle: every WDT trade processed, lag 0, no retry pending');
  const clean = await reconcileDemo(stack, o, { kafka, rules, modifiedTimes, say });
  return clean ? 0 : 1;
}

/** Starts the sandboxes, points the extractor a minute before the oldest trade, starts the services. */
async function startPipeline(stack: PipelineStack, o: DemoOptions, say: Say): Promise<number[]> {
  await stack.startSandboxes();
  const sandboxTrades = await stack.sandboxTrades();
  if (sandboxTrades.length === 0) throw new UsageError('the WDT sandbox has no trades');
  const modifiedTimes = sandboxTrades.map(sandboxTradeTimeMs);
  const firstModified = Math.min(...modifiedTimes);
  // start a minute before the oldest trade: the first window must include it
  const initialCheckpoint = formatWdtTime(firstModified - 60_000);
  stack.setEnv('extractor', { INITIAL_CHECKPOINT: initialCheckpoint });
  say(
    `sandboxes: WDT with ${sandboxTrades.length} trades (${o.wdtFixture ? 'fixture' : `seed ${o.seed}`}) since ${formatWdtTime(firstModified)}, Xingchen ${o.xingchenFixture ? 'fixture' : 'generated'} master data`,
  );
  await stack.startServices();
  say('services: extractor, transformer and loader are ready');
  const users = await Promise.all(
    DEMO_CONSOLE_LOGINS.map(
      async (login) => `${login.user}:${login.role}:${await hashPassword(login.password)}`,
    ),
  );
  await stack.startConsole(users);
  const consoleUrl = stack.url('console').replace('127.0.0.1', 'localhost');
  say(
    `console: ${consoleUrl} — sign in as ${DEMO_CONSOLE_LOGINS.map((l) => `${l.user} / ${l.password}`).join(' or ')}\n`,
  );
  return modifiedTimes;
}

/** Writes the sandbox's orders and the reconciliation report to --out; true when the report is clean. */
async function reconcileDemo(
  stack: PipelineStack,
  o: DemoOptions,
  run: { kafka: Kafka; rules: MappingRules; modifiedTimes: number[]; say: Say },
): Promise<boolean> {
  const orders = await (await fetch(`${stack.url('xingchen-sandbox')}/__sandbox/orders`)).json();
  writeFileSync(join(o.outDir, 'xingchen-orders.json'), `${JSON.stringify(orders, null, 2)}\n`);
  const { wdt, xingchen } = buildClients({
    WDT_BASE_URL: stack.url('wdt-sandbox'),
    WDT_RATE_LIMIT_PER_MINUTE: String(DEMO_WDT_QUOTA_PER_MINUTE - 100),
    XINGCHEN_BASE_URL: stack.url('xingchen-sandbox'),
    XINGCHEN_RATE_LIMIT_PER_MINUTE: String(DEMO_XINGCHEN_QUOTA_PER_MINUTE),
    ...xingchenCredentials(o.xingchenApi),
    DATABASE_URL: o.databaseUrl,
    MAPPING_FILE: o.mappingFile,
  });
  const report = await reconcileThroughApis({
    wdt,
    xingchen,
    databaseUrl: o.databaseUrl,
    rules: run.rules,
    fromMs: Math.min(...run.modifiedTimes),
    toMs: Math.max(...run.modifiedTimes),
    kafka: run.kafka,
    topics: stack.deadLetterTopics,
  });
  xingchen.close();
  writeFileSync(join(o.outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  run.say(formatReport(report));
  run.say(`\nwritten: ${join(o.outDir, 'xingchen-orders.json')}, ${join(o.outDir, 'report.json')}`);
  return report.clean;
}

/** `--xingchen-api v1|v2` (default v1, the seed's family). */
function xingchenApiOption(args: ParsedArgs): XingchenApiFamily {
  const value = stringOption(args, 'xingchen-api') ?? 'v1';
  if (!(XINGCHEN_API_FAMILIES as readonly string[]).includes(value))
    throw new UsageError(`--xingchen-api must be one of ${XINGCHEN_API_FAMILIES.join(', ')}, got "${value}"`);
  return value as XingchenApiFamily;
}

export const DEMO_COMMAND: CommandSpec = {
  name: 'demo',
  summary:
    'The whole pipeline against the local sandboxes: starts Kafka and PostgreSQL when needed (see docs/local-database.md), syncs, reconciles.',
  options: {
    once: { type: 'boolean', describe: 'run until idle, reconcile, exit (default: run until Ctrl-C)' },
    out: {
      type: 'string',
      value: 'DIR',
      default: 'out/demo',
      describe: 'where the report and the orders go',
    },
    trades: { type: 'string', value: 'N', default: '2000', describe: "the WDT sandbox's trades" },
    seed: { type: 'string', value: 'N', default: '42', describe: "the WDT sandbox's random seed" },
    'wdt-fixture': {
      type: 'string',
      value: 'FILE',
      describe: 'WDT trades from a fixture instead of generated ones',
    },
    'xingchen-fixture': { type: 'string', value: 'FILE', describe: 'Xingchen master data from a fixture' },
    mapping: {
      type: 'string',
      value: 'FILE',
      default: 'config/mapping.demo.yaml',
      describe: 'the mapping rules',
    },
    'xingchen-api': { type: 'string', value: 'v1|v2', default: 'v1', describe: 'the Xingchen API family' },
    timeout: { type: 'string', value: 'SECONDS', default: '900', describe: 'give up when not idle by then' },
  },
  env: { ...cliKafkaEnv, ...localDatabaseEnv },
  notes: [
    'The demo database is <DATABASE_URL database>_demo, dropped and recreated each run.',
    'ERPSYNC_LOCAL_PG_PORT (testing/ops knob) only changes the local port probed and used by the embedded server.',
  ],
  run: demoCommand,
};
