import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@app/stack';

const run = promisify(execFile);

/** A free loopback port (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The broker and the database a chaos run owns. The suite stops and restarts them, so they are its
 * own: a Kafka broker of scripts/kafka.sh on free ports with its own data directory, and a PostgreSQL
 * cluster of its own (initdb in a temporary directory). Other engineers' tests on the shared broker
 * and the shared PostgreSQL never notice a chaos run.
 */
export interface ChaosInfra {
  brokers: string[];
  /** `postgres://…/<name>` on the suite's PostgreSQL. */
  databaseUrl(name: string): string;
  stopBroker(): Promise<void>;
  startBroker(): Promise<void>;
  /** `pg_ctl restart -m immediate`: every backend killed, crash recovery on start. */
  restartPostgresImmediate(): Promise<void>;
  close(): Promise<void>;
}

class PrivateKafka {
  private constructor(
    readonly port: number,
    readonly controllerPort: number,
    readonly dir: string,
  ) {}

  static async create(): Promise<PrivateKafka> {
    const port = await freePort();
    let controllerPort = await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    const dir = join(tmpdir(), `erpsync-chaos-kafka-${port}`);
    mkdirSync(dir, { recursive: true });
    return new PrivateKafka(port, controllerPort, dir);
  }

  private async script(command: 'start' | 'stop'): Promise<void> {
    await run('bash', [join(repoRoot, 'scripts', 'kafka.sh'), command], {
      env: {
        ...process.env,
        KAFKA_LOCAL_DIR: this.dir,
        KAFKA_LOCAL_PORT: String(this.port),
        KAFKA_LOCAL_CONTROLLER_PORT: String(this.controllerPort),
        KAFKA_BROKERS: `127.0.0.1:${this.port}`,
      },
      timeout: 180000,
    });
  }

  start = () => this.script('start');
  stop = () => this.script('stop');
}

class PrivatePostgres {
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly bin: string,
  ) {}

  static async create(): Promise<PrivatePostgres> {
    const root = '/usr/lib/postgresql';
    if (!existsSync(root)) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
    const version = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(a) - Number(b))
      .pop();
    if (!version) throw new Error('no pg_ctl under /usr/lib/postgresql/*/bin');
    const port = await freePort();
    const dir = join(tmpdir(), `erpsync-chaos-pg-${port}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const pg = new PrivatePostgres(port, dir, join(root, version, 'bin'));
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await pg.as(join(pg.bin, 'initdb'), [
      '-D',
      join(dir, 'data'),
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
    ]);
    return pg;
  }

  /** initdb and pg_ctl refuse root: run them as `postgres` when we are root. */
  private async as(command: string, args: string[]): Promise<void> {
    if (process.getuid?.() === 0)
      await run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 120000 });
    else await run(command, args, { timeout: 120000 });
  }

  private ctl(args: string[]): Promise<void> {
    return this.as(join(this.bin, 'pg_ctl'), ['-D', join(this.dir, 'data'), '-w', ...args]);
  }

  start(): Promise<void> {
    return this.ctl([
      '-l',
      join(this.dir, 'postgres.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`,
      'start',
    ]);
  }

  /** Server output goes to the log file: a server holding our stdout pipe would keep execFile waiting. */
  restartImmediate(): Promise<void> {
    return this.ctl(['-l', join(this.dir, 'postgres.log'), '-m', 'immediate', 'restart']);
  }

  async destroy(): Promise<void> {
    await this.ctl(['-m', 'fast', 'stop']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts the chaos run's own broker and PostgreSQL (about 15 s). */
export async function startChaosInfra(log: (line: string) => void = () => undefined): Promise<ChaosInfra> {
  const pg = await PrivatePostgres.create();
  await pg.start();
  log(`postgres: own cluster on 127.0.0.1:${pg.port} (${pg.dir})`);
  const kafka = await PrivateKafka.create();
  try {
    await kafka.start();
  } catch (error) {
    await pg.destroy();
    throw error;
  }
  log(`kafka: own broker on 127.0.0.1:${kafka.port} (${kafka.dir})`);
  return {
    brokers: [`127.0.0.1:${kafka.port}`],
    databaseUrl: (name) => `postgres://postgres@127.0.0.1:${pg.port}/${name}`,
    stopBroker: () => kafka.stop(),
    startBroker: () => kafka.start(),
    restartPostgresImmediate: () => pg.restartImmediate(),
    async close() {
      await kafka.stop().catch(() => undefined);
      rmSync(kafka.dir, { recursive: true, force: true });
      await pg.destroy();
    },
  };
}

/** A broker of our own (free ports, own data directory) for a fault test that stops and starts it. */
export async function startPrivateKafka(): Promise<{
  brokers: string[];
  stopBroker(): Promise<void>;
  startBroker(): Promise<void>;
  close(): Promise<void>;
}> {
  const kafka = await PrivateKafka.create();
  await kafka.start();
  return {
    brokers: [`127.0.0.1:${kafka.port}`],
    stopBroker: () => kafka.stop(),
    startBroker: () => kafka.start(),
    async close() {
      await kafka.stop().catch(() => undefined);
      rmSync(kafka.dir, { recursive: true, force: true });
    },
  };
}
