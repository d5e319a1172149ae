/**
 * What a benchmark needs before it starts, the same way for every bench: the Kafka broker (the
 * local one started with scripts/kafka.sh when KAFKA_BROKERS is unset or local; an external one
 * must answer) and, when asked, PostgreSQL (openLocalDatabase: DATABASE_URL, else the local server,
 * else an embedded one). What is missing is said in one line (`runBench`), not a kafkajs stack trace.
 */
import { processEnv } from '@app/config';
import {
  openLocalDatabase,
  portAnswers,
  startLocalKafka,
  stopLocalKafka,
  type LocalDatabase,
} from '@app/stack';

export class BenchInfraError extends Error {}

export interface BenchInfra {
  brokers: string[];
  /** The bench's own database on the chosen server (undefined unless `database` was asked for). */
  databaseUrl?: string;
  stop(): Promise<void>;
}

const LOCAL_BROKERS = ['127.0.0.1:9092', 'localhost:9092'];

/** `database`: the database name on the chosen server, e.g. `erpsync_bench`; `databaseUrl` overrides the server choice. */
export async function startBenchInfra(
  options: { database?: string; databaseUrl?: string; say?: (line: string) => void } = {},
): Promise<BenchInfra> {
  const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = processEnv();
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
  let startedKafka = false;
  if (brokers.every((b) => LOCAL_BROKERS.includes(b))) {
    startedKafka = await startLocalKafka().catch((error: Error) => {
      throw new BenchInfraError(
        `kafka: the local broker did not start (scripts/kafka.sh start): ${error.message.split('\n')[0]}`,
      );
    });
    say(
      startedKafka
        ? 'kafka: local broker started (stopped afterwards)'
        : `kafka: using the running broker ${brokers.join(',')}`,
    );
  } else {
    const [host, port] = brokers[0].split(':');
    if (!(await portAnswers(Number(port || 9092), host)))
      throw new BenchInfraError(
        `kafka: nothing answers at ${brokers[0]} (KAFKA_BROKERS); unset KAFKA_BROKERS to use or start the local broker`,
      );
    say(`kafka: using ${brokers.join(',')} (KAFKA_BROKERS)`);
  }
  let database: LocalDatabase | undefined;
  const stop = async () => {
    await database?.stop();
    if (startedKafka) await stopLocalKafka();
  };
  if (options.database === undefined && options.databaseUrl === undefined) return { brokers, stop };
  try {
    database = await openLocalDatabase({ ...env, DATABASE_URL: options.databaseUrl ?? env.DATABASE_URL });
  } catch (error) {
    await stop();
    throw new BenchInfraError(`postgres: ${(error as Error).message.split('\n')[0]}`);
  }
  say(database.description);
  const url = new URL(database.url);
  if (options.databaseUrl === undefined) url.pathname = `/${options.database}`;
  return { brokers, databaseUrl: url.toString(), stop };
}

/** Runs a bench's main: a missing broker or database is one line and exit 3; other failures exit 1. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof BenchInfraError) {
        process.stderr.write(`bench: ${error.message}\n`);
        process.exit(3);
      }
      console.error(error);
      process.exit(1);
    },
  );
}
