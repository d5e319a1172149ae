import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loadMappingFile } from '@app/mapping';
import { formatReport } from '@app/reconciliation';
import { formatWdtTime } from '@app/contracts';
import { checkKnownOptions, intOption, stringOption, UsageError, type ParsedArgs } from './args';
import { cliDatabaseEnv, cliKafkaEnv, loadCliEnv } from './cli-config';
import { ProgressView } from './progress-view';
import { buildClients } from './clients';
import { reconcileThroughApis } from './reconcile-sources';
import {
  repoRoot,
  startLocalKafka,
  stopLocalKafka,
  PipelineStack,
  sandboxTradeTimeMs,
  xingchenCredentials,
} from '@app/stack';
import { XINGCHEN_API_FAMILIES, type XingchenApiFamily } from '@app/xingchen-client';

export const DEMO_USAGE = `./erpsync demo [--once] [--out DIR] [--trades N] [--seed N] [--wdt-fixture FILE] [--xingchen-fixture FILE] [--mapping FILE] [--xingchen-api v1|v2] [--timeout SECONDS]`;

const DEMO_OPTIONS = [
  'once',
  'out',
  'trades',
  'seed',
  'wdt-fixture',
  'xingchen-fixture',
  'mapping',
  'xingchen-api',
  'timeout',
];
/** Quotas of the demo's sandboxes and clients: generous, so a day of orders syncs in a minute or two. */
const DEMO_WDT_QUOTA_PER_MINUTE = 3000;
const DEMO_XINGCHEN_QUOTA_PER_MINUTE = 12000;

/** The demo database: the server of DATABASE_URL, database `<name>_demo` (dropped and recreated each run). */
export function demoDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1)) || 'erpsync';
  url.pathname = `/${name.endsWith('_demo') ? name : `${name}_demo`}`;
  return url.toString();
}

export async function demoCommand(args: ParsedArgs): Promise<number> {
  checkKnownOptions(args, DEMO_OPTIONS);
  const once = args.options.once === true;
  const outDir = resolve(stringOption(args, 'out') ?? join(repoRoot, 'out', 'demo'));
  const mappingFile = resolve(stringOption(args, 'mapping') ?? join(repoRoot, 'config', 'mapping.demo.yaml'));
  const wdtFixture = stringOption(args, 'wdt-fixture');
  const xingchenFixture = stringOption(args, 'xingchen-fixture');
  const trades = intOption(args, 'trades', 2000);
  const seed = intOption(args, 'seed', 42);
  const timeoutSeconds = intOption(args, 'timeout', 900);
  const xingchenApi = xingchenApiOption(args);
  const rules = loadMappingFile(mappingFile); // fails early, naming the bad key
  const kafkaConfig = loadCliEnv(cliKafkaEnv);
  const databaseUrl = demoDatabaseUrl(loadCliEnv(cliDatabaseEnv).DATABASE_URL);
  const runDir = join(outDir, 'run');
  mkdirSync(runDir, { recursive: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);

  say(
    `erpsync demo: Xingchen API ${xingchenApi} (${xingchenApi === 'v1' ? 'legacy /jdy/sal/sal_order_save' : 'open platform /jdy/v2/scm/sal_order'}); ${once ? 'runs until idle, then reconciles' : 'runs until Ctrl-C'}; logs in ${join(runDir, 'logs')}`,
  );
  const startedKafka = await startLocalKafka();
  say(startedKafka ? 'kafka: local broker started' : `kafka: using ${kafkaConfig.KAFKA_BROKERS.join(',')}`);
  const kafka = new Kafka({
    brokers: kafkaConfig.KAFKA_BROKERS,
    clientId: 'erpsync-demo',
    logLevel: logLevel.NOTHING,
  });

  const stack = new PipelineStack({
    runDir,
    databaseUrl,
    brokers: kafkaConfig.KAFKA_BROKERS,
    mappingFile,
    xingchenApi,
    env: {
      'wdt-sandbox': {
        WDT_SANDBOX_SEED: String(seed),
        WDT_SANDBOX_TRADES: String(trades),
        WDT_SANDBOX_RATE_LIMIT_PER_MINUTE: String(DEMO_WDT_QUOTA_PER_MINUTE),
        // --once needs a finished history; the open-ended demo keeps orders moving as time passes
        WDT_SANDBOX_SETTLED: once ? 'true' : 'false',
        ...(wdtFixture ? { WDT_SANDBOX_FIXTURE: resolve(wdtFixture) } : {}),
      },
      'xingchen-sandbox': {
        XINGCHEN_SANDBOX_RATE_LIMIT_PER_MINUTE: String(DEMO_XINGCHEN_QUOTA_PER_MINUTE),
        ...(xingchenFixture ? { XINGCHEN_SANDBOX_FIXTURE: resolve(xingchenFixture) } : {}),
      },
      extractor: {
        POLL_INTERVAL_SECONDS: '2',
        SAFETY_LAG_SECONDS: '5',
        WDT_RATE_LIMIT_PER_MINUTE: String(DEMO_WDT_QUOTA_PER_MINUTE - 100),
      },
      loader: { XINGCHEN_RATE_LIMIT_PER_MINUTE: String(DEMO_XINGCHEN_QUOTA_PER_MINUTE) },
    },
  });

  await stack.prepare(kafka, kafkaConfig.KAFKA_TOPIC_PARTITIONS);
  say(
    `postgres: ${new URL(databaseUrl).pathname.slice(1)} recreated and migrated; kafka: pipeline topics and groups reset`,
  );

  let stopping: Promise<void> | undefined;
  const stopEverything = () => {
    stopping ??= (async () => {
      say('\nstopping everything the demo started…');
      await stack.stopAll();
      if (startedKafka) await stopLocalKafka();
    })();
    return stopping;
  };
  const onSignal = () => void stopEverything().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await stack.startSandboxes();
    const sandboxTrades = await stack.sandboxTrades();
    if (sandboxTrades.length === 0) throw new UsageError('the WDT sandbox has no trades');
    const modifiedTimes = sandboxTrades.map(sandboxTradeTimeMs);
    const firstModified = Math.min(...modifiedTimes);
    // start a minute before the oldest trade: the first window must include it
    const initialCheckpoint = formatWdtTime(firstModified - 60_000);
    stack.setEnv('extractor', { INITIAL_CHECKPOINT: initialCheckpoint });
    say(
      `sandboxes: WDT with ${sandboxTrades.length} trades (${wdtFixture ? 'fixture' : `seed ${seed}`}) since ${formatWdtTime(firstModified)}, Xingchen ${xingchenFixture ? 'fixture' : 'generated'} master data`,
    );
    await stack.startServices();
    say('services: extractor, transformer and loader are ready\n');

    const view = new ProgressView(process.stdout, sandboxTrades.length, `Xingchen ${xingchenApi}`);
    const watch = () =>
      stack.waitUntilIdle(kafka, {
        timeoutMs: timeoutSeconds * 1000,
        onSnapshot: (snapshot, idle) => view.render(snapshot, idle ? '(idle)' : ''),
      });
    await watch();
    // without --once the demo keeps syncing (orders keep changing in the sandbox) until Ctrl-C
    while (!once) await watch().catch(() => undefined);

    say('\npipeline idle: every WDT trade processed, lag 0, no retry pending');
    const orders = await (await fetch(`${stack.url('xingchen-sandbox')}/__sandbox/orders`)).json();
    writeFileSync(join(outDir, 'xingchen-orders.json'), `${JSON.stringify(orders, null, 2)}\n`);
    const { wdt, xingchen } = buildClients({
      WDT_BASE_URL: stack.url('wdt-sandbox'),
      WDT_RATE_LIMIT_PER_MINUTE: String(DEMO_WDT_QUOTA_PER_MINUTE - 100),
      XINGCHEN_BASE_URL: stack.url('xingchen-sandbox'),
      XINGCHEN_RATE_LIMIT_PER_MINUTE: String(DEMO_XINGCHEN_QUOTA_PER_MINUTE),
      ...xingchenCredentials(xingchenApi),
      DATABASE_URL: databaseUrl,
      MAPPING_FILE: mappingFile,
    });
    const report = await reconcileThroughApis({
      wdt,
      xingchen,
      databaseUrl,
      rules,
      fromMs: firstModified,
      toMs: Math.max(...modifiedTimes),
      kafka,
      topics: stack.deadLetterTopics,
    });
    xingchen.close();
    writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    say(formatReport(report));
    say(`\nwritten: ${join(outDir, 'xingchen-orders.json')}, ${join(outDir, 'report.json')}`);
    return report.clean ? 0 : 1;
  } finally {
    await stopEverything();
  }
}

/** `--xingchen-api v1|v2` (default v1, the seed's family). */
function xingchenApiOption(args: ParsedArgs): XingchenApiFamily {
  const value = stringOption(args, 'xingchen-api') ?? 'v1';
  if (!(XINGCHEN_API_FAMILIES as readonly string[]).includes(value))
    throw new UsageError(`--xingchen-api must be one of ${XINGCHEN_API_FAMILIES.join(', ')}, got "${value}"`);
  return value as XingchenApiFamily;
}
