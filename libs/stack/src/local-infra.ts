import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { type Kafka } from 'kafkajs';
import { allTopics, ConsumerGroups } from '@app/contracts';
import { consumerGroupLag, ensureTopics } from '@app/kafka';
import { createDataSource, ensureDatabase, runMigrations } from '@app/persistence';
import { sleep } from '@app/runtime';

const run = promisify(execFile);
/** The repository root, from the sources (tests) or from dist/ (the compiled CLI). */
export const repoRoot = ((): string => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'kafka', 'pom.xml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the erpsync repository above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();

/** Starts the project's local broker unless KAFKA_BROKERS points elsewhere; true when this call started it. */
export async function startLocalKafka(): Promise<boolean> {
  const status = await run('bash', [join(repoRoot, 'scripts', 'kafka.sh'), 'status']).then(
    () => true,
    () => false,
  );
  if (status) return false;
  await run('bash', [join(repoRoot, 'scripts', 'kafka.sh'), 'start'], { timeout: 300000 });
  return true;
}

export async function stopLocalKafka(): Promise<void> {
  await run('bash', [join(repoRoot, 'scripts', 'kafka.sh'), 'stop'], { timeout: 120000 });
}

/** Fails with one line when nothing answers at DATABASE_URL's host and port (see openLocalDatabase). */
export async function ensureLocalPostgres(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const port = Number(url.port || 5432);
  const { portAnswers } = await import('./local-postgres');
  if (!(await portAnswers(port, url.hostname)))
    throw new Error(
      `PostgreSQL at ${url.hostname}:${port} does not answer (unset DATABASE_URL to get the local or embedded server, see docs/local-database.md)`,
    );
}

/** Drops and recreates a database (the demo's own, never a production one), then migrates it. */
export async function recreateDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`refusing to recreate database "${name}"`);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    await client.query(`DROP DATABASE IF EXISTS "${name}"`);
  } finally {
    await client.end();
  }
  await migrate(databaseUrl);
}

export async function migrate(databaseUrl: string): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const dataSource = createDataSource({ url: databaseUrl, poolSize: 2, applicationName: 'erpsync-cli' });
  await dataSource.initialize();
  try {
    return await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** Deletes the pipeline's topics and consumer groups and creates the topics afresh (the demo starts clean). */
export async function resetTopics(
  kafka: Kafka,
  partitions: number,
  topics: string[] = allTopics(),
  groupIds: string[] = Object.values(ConsumerGroups),
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const wanted = topics;
    const existing = (await admin.listTopics()).filter((topic) => wanted.includes(topic));
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((id) => groupIds.includes(id));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
    if (existing.length) {
      await admin.deleteTopics({ topics: existing, timeout: 30000 });
      const deadline = Date.now() + 60000;
      while ((await admin.listTopics()).some((topic) => existing.includes(topic))) {
        if (Date.now() > deadline) throw new Error('Kafka did not delete the old topics within 60 s');
        await sleep(200);
      }
    }
  } finally {
    await admin.disconnect();
  }
  // topic deletion finishes asynchronously on the broker: retry creation until it is accepted
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      await ensureTopics(kafka, topics, { partitions, replicationFactor: 1 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

export async function consumerLag(kafka: Kafka, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await consumerGroupLag(admin, groupId, topic);
  } finally {
    await admin.disconnect();
  }
}

export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (!isAlive()) throw new Error(`process behind ${url} exited`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}
