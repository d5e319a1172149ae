import { join } from 'node:path';
import { type Kafka } from 'kafkajs';
import { createServer } from 'node:net';
import { type AddressInfo } from 'node:net';
import {
  ConsumerGroups,
  deadLetterTopic,
  LoaderOutcomes,
  Topics,
  tryParseWdtTime,
  wdtModifiedOf,
} from '@app/contracts';
import { consumerGroupLag } from '@app/kafka';
import { LedgerQueries } from '@app/persistence';
import { isPipelineIdle, waitUntilSteady } from '@app/runtime';
import { type XingchenApiFamily } from '@app/xingchen-client';

import { ensureLocalPostgres, recreateDatabase, repoRoot, resetTopics, waitForHttp } from './local-infra';
import { ProcessSupervisor, type ManagedProcess } from './process-supervisor';
import { scrape, sumOf, type Sample } from '@app/observability';

export type ServiceName = 'extractor' | 'transformer' | 'loader';
export type SandboxName = 'wdt-sandbox' | 'xingchen-sandbox';
/** Every process a stack can run: the pipeline's services, the sandboxes and the operations console. */
export type ProcessName = ServiceName | SandboxName | 'console';
export const SERVICES: ServiceName[] = ['extractor', 'transformer', 'loader'];

/** The Xingchen account the demo uses, given to the sandbox and to the loader alike. */
const XINGCHEN_ACCOUNT = {
  clientId: '100001',
  clientSecret: 'sandbox-client-secret',
  username: 'demo@erpsync.local',
  password: 'sandbox-password',
  accountId: 'sandbox-account-1',
  groupName: 'sandbox-group',
  appKey: 'sandboxAppKey',
  appSecret: 'sandbox-app-secret',
  domain: 'sandbox.jdy.local',
  outerInstanceId: 'sandbox-outer-instance-1',
};

/** The Xingchen sandbox's account (both families served at once). */
export const XINGCHEN_SANDBOX_ENV: Record<string, string> = {
  XINGCHEN_SANDBOX_CLIENT_ID: XINGCHEN_ACCOUNT.clientId,
  XINGCHEN_SANDBOX_CLIENT_SECRET: XINGCHEN_ACCOUNT.clientSecret,
  XINGCHEN_SANDBOX_USERNAME: XINGCHEN_ACCOUNT.username,
  XINGCHEN_SANDBOX_PASSWORD: XINGCHEN_ACCOUNT.password,
  XINGCHEN_SANDBOX_ACCOUNT_ID: XINGCHEN_ACCOUNT.accountId,
  XINGCHEN_SANDBOX_GROUP_NAME: XINGCHEN_ACCOUNT.groupName,
  XINGCHEN_SANDBOX_APP_KEY: XINGCHEN_ACCOUNT.appKey,
  XINGCHEN_SANDBOX_APP_SECRET: XINGCHEN_ACCOUNT.appSecret,
  XINGCHEN_SANDBOX_DOMAIN: XINGCHEN_ACCOUNT.domain,
  XINGCHEN_SANDBOX_OUTER_INSTANCE_ID: XINGCHEN_ACCOUNT.outerInstanceId,
};

/**
 * What a loader (or the CLI) needs to reach the sandbox's account through one family: V1 logs in
 * as the user; V2 fetches its app key and rotating secret through the authorization push.
 */
export function xingchenCredentials(family: XingchenApiFamily): Record<string, string> {
  const common = {
    XINGCHEN_API: family,
    XINGCHEN_CLIENT_ID: XINGCHEN_ACCOUNT.clientId,
    XINGCHEN_CLIENT_SECRET: XINGCHEN_ACCOUNT.clientSecret,
  };
  return family === 'v1'
    ? {
        ...common,
        XINGCHEN_USERNAME: XINGCHEN_ACCOUNT.username,
        XINGCHEN_PASSWORD: XINGCHEN_ACCOUNT.password,
        XINGCHEN_ACCOUNT_ID: XINGCHEN_ACCOUNT.accountId,
      }
    : { ...common, XINGCHEN_OUTER_INSTANCE_ID: XINGCHEN_ACCOUNT.outerInstanceId };
}

export interface StackPorts {
  wdt: number;
  xingchen: number;
  extractor: number;
  transformer: number;
  loader: number;
  console: number;
}

export const DEFAULT_PORTS: StackPorts = {
  wdt: 18080,
  xingchen: 18081,
  extractor: 3001,
  transformer: 3002,
  loader: 3003,
  console: 3000,
};

/** The pipeline's topic and group names, optionally namespaced so that several stacks share one broker. */
export interface StackTopology {
  raw: string;
  replay: string;
  normalized: string;
  transformerGroup: string;
  transformerReplayGroup: string;
  loaderGroup: string;
}

export function stackTopology(namespace?: string): StackTopology {
  const topic = (name: string) => (namespace ? `${namespace}.${name}` : name);
  const group = (name: string) => (namespace ? `${name}.${namespace}` : name);
  return {
    raw: topic(Topics.rawTrades),
    replay: topic(Topics.rawTradesReplay),
    normalized: topic(Topics.normalizedOrders),
    transformerGroup: group(ConsumerGroups.transformer),
    transformerReplayGroup: group(ConsumerGroups.transformerReplay),
    loaderGroup: group(ConsumerGroups.loader),
  };
}

/** Every topic of a topology, DLQs included. */
export const topologyTopics = (t: StackTopology): string[] =>
  [t.raw, t.replay, t.normalized].flatMap((topic) => [topic, deadLetterTopic(topic)]);

/** Free loopback ports for one stack (the OS picks them). */
export async function freePorts(): Promise<StackPorts> {
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
  const [wdt, xingchen, extractor, transformer, loader, consolePort] = await Promise.all([
    one(),
    one(),
    one(),
    one(),
    one(),
    one(),
  ]);
  return { wdt, xingchen, extractor, transformer, loader, console: consolePort };
}

export interface StackOptions {
  /** Prefix of topic names and suffix of group ids; none = the documented names. */
  namespace?: string;
  runDir: string;
  databaseUrl: string;
  brokers: string[];
  ports?: StackPorts;
  mappingFile: string;
  /** Environment of each process on top of the defaults below. */
  env?: Partial<Record<ProcessName, Record<string, string>>>;
  logLevel?: string;
  /** The Xingchen API family the loader speaks (default v1); the sandbox serves both. */
  xingchenApi?: XingchenApiFamily;
}

export interface PipelineSnapshot {
  windows: number;
  tradesFetched: number;
  checkpointSeconds: number;
  mapped: number;
  filtered: number;
  cancelled: number;
  invalid: number;
  loader: Record<string, number>;
  /** Every dead letter of every hop. */
  dlq: number;
  /** The extractor's own dead letters (trades the tolerant parser refused), beside the transformer's `invalid`. */
  extractorDeadLetters: number;
  rawLag: number;
  replayLag: number;
  normalizedLag: number;
  pendingLedger: number;
  xingchenCalls: number;
  wdtCalls: number;
}

/**
 * The whole pipeline as separate processes: both sandboxes, then extractor, transformer and loader
 * (`node scripts/start.js <name>`), each with its own log file, stopped by PID.
 */
export class PipelineStack {
  readonly ports: StackPorts;
  readonly topology: StackTopology;
  readonly supervisor: ProcessSupervisor;
  private readonly extraEnv: Partial<Record<ProcessName, Record<string, string>>> = {};

  constructor(private readonly options: StackOptions) {
    this.ports = options.ports ?? DEFAULT_PORTS;
    this.topology = stackTopology(options.namespace);
    this.supervisor = new ProcessSupervisor(join(options.runDir, 'logs'), join(options.runDir, 'pids'));
  }

  get xingchenApi(): XingchenApiFamily {
    return this.options.xingchenApi ?? 'v1';
  }

  url(name: ProcessName): string {
    const port = {
      'wdt-sandbox': this.ports.wdt,
      'xingchen-sandbox': this.ports.xingchen,
      extractor: this.ports.extractor,
      transformer: this.ports.transformer,
      loader: this.ports.loader,
      console: this.ports.console,
    }[name];
    return `http://127.0.0.1:${port}`;
  }

  /** Adds to a process's environment (takes effect at its next start). */
  setEnv(name: ProcessName, vars: Record<string, string>): void {
    this.extraEnv[name] = { ...(this.extraEnv[name] ?? {}), ...vars };
  }

  envOf(name: ProcessName): Record<string, string> {
    const common = {
      KAFKA_BROKERS: this.options.brokers.join(','),
      DATABASE_URL: this.options.databaseUrl,
      LOG_LEVEL: this.options.logLevel ?? 'info',
      MAPPING_FILE: this.options.mappingFile,
    };
    const t = this.topology;
    const base: Record<ProcessName, Record<string, string>> = {
      'wdt-sandbox': {
        LOG_LEVEL: common.LOG_LEVEL,
        WDT_SANDBOX_PORT: String(this.ports.wdt),
        WDT_SANDBOX_HOST: '127.0.0.1',
      },
      'xingchen-sandbox': {
        LOG_LEVEL: common.LOG_LEVEL,
        XINGCHEN_SANDBOX_PORT: String(this.ports.xingchen),
        XINGCHEN_SANDBOX_HOST: '127.0.0.1',
        ...XINGCHEN_SANDBOX_ENV,
      },
      extractor: {
        ...common,
        HTTP_PORT: String(this.ports.extractor),
        HTTP_HOST: '127.0.0.1',
        WDT_BASE_URL: this.url('wdt-sandbox'),
        RAW_TOPIC: t.raw,
      },
      transformer: {
        ...common,
        HTTP_PORT: String(this.ports.transformer),
        HTTP_HOST: '127.0.0.1',
        RAW_TOPIC: t.raw,
        RAW_REPLAY_TOPIC: t.replay,
        NORMALIZED_TOPIC: t.normalized,
        TRANSFORMER_GROUP_ID: t.transformerGroup,
        TRANSFORMER_REPLAY_GROUP_ID: t.transformerReplayGroup,
      },
      loader: {
        ...common,
        HTTP_PORT: String(this.ports.loader),
        HTTP_HOST: '127.0.0.1',
        XINGCHEN_BASE_URL: this.url('xingchen-sandbox'),
        ...xingchenCredentials(this.xingchenApi),
        NORMALIZED_TOPIC: t.normalized,
        LOADER_GROUP_ID: t.loaderGroup,
      },
      console: {
        ...common,
        CONSOLE_PORT: String(this.ports.console),
        CONSOLE_HOST: '127.0.0.1',
        CONSOLE_SERVICE_URLS: SERVICES.map((service) => `${service}=${this.url(service)}`).join(','),
        // the account set's quota as the loader has it (the overview shows it)
        ...(this.options.env?.loader?.XINGCHEN_RATE_LIMIT_PER_MINUTE
          ? { XINGCHEN_RATE_LIMIT_PER_MINUTE: this.options.env.loader.XINGCHEN_RATE_LIMIT_PER_MINUTE }
          : {}),
        WDT_BASE_URL: this.url('wdt-sandbox'),
        XINGCHEN_BASE_URL: this.url('xingchen-sandbox'),
        ...xingchenCredentials(this.xingchenApi),
        RAW_TOPIC: t.raw,
        RAW_REPLAY_TOPIC: t.replay,
        NORMALIZED_TOPIC: t.normalized,
        TRANSFORMER_GROUP_ID: t.transformerGroup,
        TRANSFORMER_REPLAY_GROUP_ID: t.transformerReplayGroup,
        LOADER_GROUP_ID: t.loaderGroup,
      },
    };
    return { ...base[name], ...(this.options.env?.[name] ?? {}), ...(this.extraEnv[name] ?? {}) };
  }

  startProcess(name: ProcessName, args: string[] = []): ManagedProcess {
    return this.supervisor.start(
      name,
      process.execPath,
      [join(repoRoot, 'scripts', 'start.js'), name, ...args],
      this.envOf(name),
    );
  }

  /** A clean slate for this stack: its database dropped, recreated and migrated; its topics and groups recreated. */
  async prepare(kafka: Kafka, partitions: number): Promise<void> {
    await ensureLocalPostgres(this.options.databaseUrl);
    await recreateDatabase(this.options.databaseUrl);
    const t = this.topology;
    await resetTopics(kafka, partitions, topologyTopics(t), [
      t.transformerGroup,
      t.transformerReplayGroup,
      t.loaderGroup,
    ]);
  }

  async startSandboxes(timeoutMs = 60000): Promise<void> {
    for (const name of ['wdt-sandbox', 'xingchen-sandbox'] as const) {
      await this.startAndAwait(name, '/health/live', 'did not start', timeoutMs);
    }
  }

  async startService(name: ServiceName, timeoutMs = 90000): Promise<ManagedProcess> {
    return this.startAndAwait(name, '/health/ready', 'did not become ready', timeoutMs);
  }

  /** Starts a process and waits until `path` answers 2xx, failing early if the process exits. */
  private async startAndAwait(
    name: ProcessName,
    path: string,
    failure: string,
    timeoutMs: number,
  ): Promise<ManagedProcess> {
    const managed = this.startProcess(name);
    await waitForHttp(`${this.url(name)}${path}`, timeoutMs, () => managed.exitCode === undefined).catch(
      (error: unknown) => {
        throw new Error(`${name} ${failure} (log: ${managed.logFile}): ${(error as Error).message}`);
      },
    );
    return managed;
  }

  /**
   * The operations console on this stack (CONSOLE_USERS: `user:role:hash` entries, see
   * `./erpsync console-user`), ready when its /health/ready answers.
   */
  async startConsole(users: string[], timeoutMs = 90000): Promise<ManagedProcess> {
    this.setEnv('console', { CONSOLE_USERS: users.join(',') });
    return this.startAndAwait('console', '/health/ready', 'did not become ready', timeoutMs);
  }

  async startServices(): Promise<void> {
    await Promise.all(SERVICES.map((name) => this.startService(name)));
  }

  async stopAll(): Promise<void> {
    await this.supervisor.stopAll();
  }

  async snapshot(kafka: Kafka): Promise<PipelineSnapshot> {
    const [extractor, transformer, loader] = await Promise.all(
      SERVICES.map((name) => scrape(`${this.url(name)}/metrics`)),
    );
    const admin = kafka.admin();
    await admin.connect();
    let lags: number[];
    try {
      lags = await Promise.all([
        consumerGroupLag(admin, this.topology.transformerGroup, this.topology.raw),
        consumerGroupLag(admin, this.topology.transformerReplayGroup, this.topology.replay),
        consumerGroupLag(admin, this.topology.loaderGroup, this.topology.normalized),
      ]);
    } finally {
      await admin.disconnect();
    }
    const all: Sample[] = [...extractor, ...transformer, ...loader];
    return {
      windows: sumOf(extractor, 'erpsync_extractor_windows_total'),
      tradesFetched: sumOf(extractor, 'erpsync_extractor_trades_fetched_total'),
      checkpointSeconds: sumOf(extractor, 'erpsync_extractor_checkpoint_timestamp_seconds'),
      mapped: sumOf(transformer, 'erpsync_transformer_orders_total', { outcome: 'mapped' }),
      filtered: sumOf(transformer, 'erpsync_transformer_orders_total', { outcome: 'filtered' }),
      cancelled: sumOf(transformer, 'erpsync_transformer_orders_total', { outcome: 'cancelled' }),
      invalid: sumOf(transformer, 'erpsync_transformer_orders_total', { outcome: 'invalid' }),
      loader: Object.fromEntries(
        LoaderOutcomes.map((outcome) => [outcome, sumOf(loader, 'erpsync_loader_orders_total', { outcome })]),
      ),
      dlq: sumOf(all, 'erpsync_dead_letter_messages_total'),
      extractorDeadLetters: sumOf(extractor, 'erpsync_dead_letter_messages_total'),
      rawLag: lags[0],
      replayLag: lags[1],
      normalizedLag: lags[2],
      pendingLedger: await this.pendingLedgerRows(),
      xingchenCalls: sumOf(loader, 'erpsync_xingchen_api_requests_total'),
      wdtCalls: sumOf(extractor, 'erpsync_wdt_api_requests_total'),
    };
  }

  /** The DLQ topics of this stack's pipeline, for the reconciliation. */
  get deadLetterTopics(): { raw: string; replay: string; normalized: string } {
    return { raw: this.topology.raw, replay: this.topology.replay, normalized: this.topology.normalized };
  }

  /** The WDT sandbox's trades as they are visible now. */
  async sandboxTrades(): Promise<Array<Record<string, unknown>>> {
    const response = await fetch(`${this.url('wdt-sandbox')}/__sandbox/trades`);
    return ((await response.json()) as { trades: Array<Record<string, unknown>> }).trades;
  }

  /**
   * Waits until every visible WDT trade is behind the checkpoint, every consumer group is at the end
   * of its topic and no intent is pending — twice in a row. `onSnapshot` sees every poll.
   */
  async waitUntilIdle(
    kafka: Kafka,
    options: { timeoutMs?: number; onSnapshot?: (snapshot: PipelineSnapshot, idle: boolean) => void } = {},
  ): Promise<PipelineSnapshot> {
    const timeoutMs = options.timeoutMs ?? 300000;
    return waitUntilSteady({
      timeoutMs,
      probe: async () => {
        const crashed = this.supervisor.crashed();
        if (crashed)
          throw new Error(`${crashed.name} exited with code ${crashed.exitCode} (log: ${crashed.logFile})`);
        const snapshot = await this.snapshot(kafka);
        const latest = Math.max(0, ...(await this.sandboxTrades()).map(sandboxTradeTimeMs));
        const idle = isPipelineIdle(snapshot, latest);
        options.onSnapshot?.(snapshot, idle);
        return { reading: snapshot, idle };
      },
      timeoutMessage: (snapshot) =>
        `the pipeline did not become idle within ${timeoutMs / 1000} s: ${JSON.stringify(snapshot)}`,
    });
  }

  private async pendingLedgerRows(): Promise<number> {
    return LedgerQueries.using(this.options.databaseUrl, (queries) => queries.countWithStatus('pending'));
  }
}

/**
 * The time the WDT sandbox files a trade under (its window on `modified`): `modified` read by the
 * tolerant parser, else `created` (a broken trade without `modified`), else 0.
 */
export function sandboxTradeTimeMs(trade: Record<string, unknown>): number {
  const modified = wdtModifiedOf(trade);
  if (modified !== undefined) return tryParseWdtTime(modified) ?? 0;
  return tryParseWdtTime(trade.created) ?? 0;
}
