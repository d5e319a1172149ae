import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BatchingProducer, createKafka } from '@app/kafka';
import { loadMappingFile } from '@app/mapping';
import { createLogger, createServiceMetrics } from '@app/observability';
import { formatReport } from '@app/reconciliation';
import { ReplayService, ReplaySources, type ReplaySource } from '@app/replay';
import { parseWdtTime, Topics } from '@app/contracts';
import { extractorEnv, SERVICE_SCHEMAS } from '@app/config';
import { stringOption, UsageError, type CommandSpec, type ParsedArgs } from './args';
import { cliDatabaseEnv, cliKafkaEnv, cliReconcileEnv, loadCliEnv } from './cli-config';
import { buildClients } from './clients';
import { reconcileThroughApis } from '@app/operations';
import { migrate, repoRoot } from '@app/stack';

const isoTime = (args: ParsedArgs, name: string): Date | undefined => {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  if (!/([+-]\d{2}:\d{2}|Z)$/.test(value) || Number.isNaN(new Date(value).getTime())) {
    throw new UsageError(`--${name} must be an ISO-8601 time with an offset, e.g. 2024-03-01T00:00:00+08:00`);
  }
  return new Date(value);
};

const beijingTime = (args: ParsedArgs, name: string): number => {
  const value = stringOption(args, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  try {
    return parseWdtTime(value);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
};

/** Re-sends raw trades (or a DLQ) through the low-priority replay topic; the ledger makes it create nothing twice. */
export async function replayCommand(args: ParsedArgs): Promise<number> {
  const source = (stringOption(args, 'source') ?? 'raw') as ReplaySource;
  if (!ReplaySources.includes(source))
    throw new UsageError(`--source must be one of ${ReplaySources.join(', ')}`);
  const tradeNos = stringOption(args, 'trades')
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const config = loadCliEnv(cliKafkaEnv);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'erpsync-replay' });
  const producer = new BatchingProducer(
    kafka,
    createServiceMetrics('cli', 'cli', 'cli'),
    createLogger('replay', 'warn'),
  );
  await producer.connect();
  try {
    const result = await new ReplayService(kafka, producer).run(
      {
        source,
        from: isoTime(args, 'from'),
        to: isoTime(args, 'to'),
        tradeNos,
        reason: stringOption(args, 'reason'),
      },
      (progress) =>
        process.stdout.write(
          `replay ${progress.id}: scanned ${progress.scanned}, replayed ${progress.replayed} → ${progress.target}\n`,
        ),
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.state === 'done' ? 0 : 1;
  } finally {
    await producer.disconnect();
  }
}

/** The extractor's backfill: re-reads a WDT range without moving the live checkpoint. */
export async function resyncCommand(args: ParsedArgs): Promise<number> {
  const from = stringOption(args, 'from');
  const to = stringOption(args, 'to');
  beijingTime(args, 'from');
  beijingTime(args, 'to');
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'scripts', 'start.js'), 'extractor', 'backfill', '--from', from!, '--to', to!],
    {
      stdio: 'inherit',
    },
  );
  return new Promise((done) => child.once('exit', (code) => done(code ?? 1)));
}

/** Compares WDT (through its API), the ledger and Xingchen (through its API) for a period. */
export async function reconcileCommand(args: ParsedArgs): Promise<number> {
  const fromMs = beijingTime(args, 'from');
  const toMs = beijingTime(args, 'to');
  if (toMs < fromMs) throw new UsageError('--to must not be earlier than --from');
  const { config, wdt, xingchen } = buildClients();
  const kafkaConfig = loadCliEnv(cliKafkaEnv);
  const kafka = createKafka({ brokers: kafkaConfig.KAFKA_BROKERS, clientId: 'erpsync-reconcile' });
  try {
    const report = await reconcileThroughApis({
      kafka,
      topics: {
        raw: Topics.rawTrades,
        replay: Topics.rawTradesReplay,
        normalized: Topics.normalizedOrders,
      },
      wdt,
      xingchen,
      databaseUrl: config.DATABASE_URL,
      rules: loadMappingFile(config.MAPPING_FILE),
      fromMs,
      toMs,
    });
    const out = resolve(stringOption(args, 'out') ?? 'report.json');
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${formatReport(report)}\n\nwritten: ${out}\n`);
    return report.clean ? 0 : 1;
  } finally {
    xingchen.close();
  }
}

export async function migrateCommand(): Promise<number> {
  const applied = await migrate(loadCliEnv(cliDatabaseEnv).DATABASE_URL);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  return 0;
}

const BEIJING = '"yyyy-MM-dd HH:mm:ss"';
/** A WDT period: both ends in Beijing time. */
const BEIJING_PERIOD = {
  from: { type: 'string', value: BEIJING, required: true, describe: 'start, Beijing time' },
  to: { type: 'string', value: BEIJING, required: true, describe: 'end, Beijing time' },
} as const;

export const REPLAY_COMMAND: CommandSpec = {
  name: 'replay',
  summary:
    'Re-sends raw trades (or a dead-letter queue) through the low-priority replay topic; the ledger makes it create nothing twice.',
  options: {
    source: { type: 'string', value: ReplaySources.join('|'), default: 'raw', describe: 'what to re-send' },
    from: { type: 'string', value: 'ISO-TIME', describe: 'messages from this time (with an offset)' },
    to: { type: 'string', value: 'ISO-TIME', describe: 'messages up to this time (with an offset)' },
    trades: { type: 'string', value: 'JY1,JY2', describe: 'only these trade numbers' },
    reason: { type: 'string', value: 'DLQ-REASON', describe: 'only dead letters with this reason' },
  },
  env: cliKafkaEnv,
  notes: ['exit 1 when the replay did not finish (state other than done).'],
  run: replayCommand,
};

export const RESYNC_COMMAND: CommandSpec = {
  name: 'resync',
  summary: "The extractor's backfill: re-reads a WDT range without moving the live checkpoint.",
  options: BEIJING_PERIOD,
  env: extractorEnv,
  run: resyncCommand,
};

export const RECONCILE_COMMAND: CommandSpec = {
  name: 'reconcile',
  summary: 'Compares WDT (through its API), the ledger and Xingchen (through its API) for a period.',
  options: {
    ...BEIJING_PERIOD,
    out: { type: 'string', value: 'FILE', default: 'report.json', describe: 'where the report goes' },
  },
  env: { ...cliReconcileEnv, ...cliKafkaEnv },
  notes: ['exit 1 when anything is missing, duplicated, stale, mismatched or dead-lettered.'],
  run: reconcileCommand,
};

export const MIGRATE_COMMAND: CommandSpec = {
  name: 'migrate',
  summary: "Applies the ledger's pending migrations to DATABASE_URL.",
  options: {},
  env: cliDatabaseEnv,
  run: migrateCommand,
};

const SERVICES = SERVICE_SCHEMAS.map((s) => s.service);

/** `./erpsync service <name>`: the launcher execs scripts/start.js itself; this is its help (and a fallback). */
export const SERVICE_COMMAND: CommandSpec = {
  name: 'service',
  summary: 'One service in the foreground (as the container image runs it).',
  options: {},
  positionals: { name: 'service', describe: 'the service to run', values: SERVICES },
  env: Object.assign({}, ...SERVICE_SCHEMAS.map((s) => s.schema)) as CommandSpec['env'],
  notes: ['Each service reads its own part of the environment: see docs/config.md.'],
  run: async (args) => {
    if (args.positional.length !== 1)
      throw new UsageError(`service: name one service (${SERVICES.join(', ')})`);
    const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'start.js'), args.positional[0]], {
      stdio: 'inherit',
    });
    return new Promise((done) => child.once('exit', (code) => done(code ?? 3)));
  },
};
