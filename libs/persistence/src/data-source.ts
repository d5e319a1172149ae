import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { allMigrations } from './migrations';

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/**
 * The TypeORM data source: migrations only, never `synchronize`. The migrations are the schema; the
 * repositories speak SQL (the ledger batches statements in the simple query protocol), so there are
 * no entities to keep in step with it.
 */
export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: [],
    migrations: allMigrations,
    migrationsTableName: 'erpsync_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    applicationName: options.applicationName ?? 'erpsync',
    extra: {
      // runMigrations holds one connection for its lock while TypeORM migrates on another
      max: Math.max(2, options.poolSize ?? 10),
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      // a dead server must not hang a query forever: the pool recovers once PostgreSQL is back
      query_timeout: 30000,
      keepAlive: true,
    },
  });
}

/** Creates the database named in the URL when it does not exist (connecting to `postgres`). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`unsupported database name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount && found.rowCount > 0) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  } catch (error) {
    // a concurrent creator won the race
    if ((error as { code?: string }).code === '42P04') return false;
    throw error;
  } finally {
    await client.end();
  }
}

/** Runs pending migrations; safe to call from several processes at once (advisory lock). */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', ['erpsync.migrations']);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner
      .query('SELECT pg_advisory_unlock(hashtext($1))', ['erpsync.migrations'])
      .catch(() => undefined);
    await runner.release();
  }
}
