import { type INestApplication } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { extractorEnv, loadEnv } from '@app/config';
import { deadLetterTopic, formatWdtTime } from '@app/contracts';
import { LedgerQueries } from '@app/persistence';
import {
  createTopics,
  listening,
  listeningUrl,
  randomTopic,
  readAll,
  testBrokers,
  testDatabaseUrl,
  testKafka,
  uniqueName,
  waitFor,
  type ReadRecord,
} from '@app/testing';

import {
  createExtractorApp,
  type ExtractorConfig,
  PollLoop,
  POLL_INTERVAL_NAME,
  ExtractorService,
} from '../../../apps/extractor/src';
import { createWdtSandbox, type WdtSandbox, type WdtSandboxOptions } from '../../../apps/wdt-sandbox/src';

export { PollLoop, POLL_INTERVAL_NAME, ExtractorService, SchedulerRegistry };

export const kafka = testKafka('extractor-test');

/** Fresh raw + DLQ topics and a checkpoint name of its own for one scenario. */
export async function scenario(): Promise<{ raw: string; dlq: string; checkpointName: string }> {
  const raw = randomTopic('erp.wdt.trade.raw.test');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopics(admin, [raw, deadLetterTopic(raw)]);
  } finally {
    await admin.disconnect();
  }
  return { raw, dlq: deadLetterTopic(raw), checkpointName: uniqueName('wdt.trade.test') };
}

/** A fresh scenario (see scenario) and the extractor's configuration for it against `sandbox`. */
export async function configuredScenario(
  sandbox: WdtSandbox,
  env: Record<string, string> = {},
): Promise<{ names: { raw: string; dlq: string; checkpointName: string }; config: ExtractorConfig }> {
  const names = await scenario();
  return { names, config: extractorConfig(sandbox, names, env) };
}

/** The extractor's configuration against an in-process sandbox, as the environment would give it. */
export function extractorConfig(
  sandbox: WdtSandbox,
  names: { raw: string; checkpointName: string },
  env: Record<string, string> = {},
): ExtractorConfig {
  const c = sandbox.credentials;
  return loadEnv(extractorEnv, {
    KAFKA_BROKERS: testBrokers().join(','),
    KAFKA_BOOTSTRAP_TOPICS: 'false',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_POOL_SIZE: '3',
    DATABASE_RUN_MIGRATIONS: 'false',
    LOG_LEVEL: 'silent',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    WDT_BASE_URL: sandbox.url,
    WDT_SID: c.sid,
    WDT_APP_KEY: c.appKey,
    WDT_APP_SECRET: c.appSecret,
    WDT_QIMEN_APP_KEY: c.qimenAppKey,
    WDT_QIMEN_APP_SECRET: c.qimenSecret,
    WDT_TARGET_APP_KEY: c.targetAppKey,
    WDT_RATE_LIMIT_PER_MINUTE: '60000',
    WDT_PAGE_SIZE: '7',
    POLL_INTERVAL_SECONDS: '0.2',
    SAFETY_LAG_SECONDS: '2',
    WINDOW_OVERLAP_SECONDS: '0',
    LEASE_TTL_SECONDS: '10',
    RAW_TOPIC: names.raw,
    CHECKPOINT_NAME: names.checkpointName,
    ...env,
  });
}

export async function startExtractor(
  config: ExtractorConfig,
  poll = true,
): Promise<{ app: INestApplication; url: string; loop: PollLoop }> {
  const app = await createExtractorApp(config, { poll });
  await app.listen(0, '127.0.0.1');
  return { app, url: listeningUrl(app), loop: app.get(PollLoop) };
}

/** The checkpoint row as the database has it (Beijing time text), or null. */
export async function readCheckpoint(
  name: string,
): Promise<{ checkpoint: string | null; holder: string | null } | null> {
  const row = await LedgerQueries.using(testDatabaseUrl(), (queries) => queries.checkpoint(name));
  if (row === null) return null;
  return {
    checkpoint: row.checkpointMs === null ? null : formatWdtTime(row.checkpointMs),
    holder: row.leaseHolder,
  };
}

/** Waits until the checkpoint has reached `modified` (a WDT time; the texts compare as times). */
export async function waitForCheckpoint(
  checkpointName: string,
  modified: string,
  options: { timeoutMs: number; description: string },
): Promise<void> {
  await waitFor(async () => ((await readCheckpoint(checkpointName))?.checkpoint ?? '') >= modified, options);
}

/**
 * A listening WDT sandbox whose generated history of settled trades ends 30 s before `now` (inside
 * the safety lag's reach), with a quota that never gets in the way unless `faults` says otherwise.
 */
export function historySandbox(
  now: number,
  history: { seed: number; count: number; historySeconds: number },
  options: Omit<WdtSandboxOptions, 'generator'> = {},
): Promise<WdtSandbox> {
  return listening(
    createWdtSandbox({
      ...options,
      generator: { ...history, endMs: now - 30_000, settled: true },
      faults: { rateLimitPerMinute: 100000, ...options.faults },
    }),
  );
}

export interface PublishedTrade {
  tradeNo: string;
  modified: string;
  record: ReadRecord;
}

export async function published(topic: string): Promise<PublishedTrade[]> {
  const records = await readAll(kafka, topic);
  return records.map((record) => {
    const value = JSON.parse(record.value ?? 'null') as { trade_no: string; modified: string };
    return { tradeNo: value.trade_no, modified: value.modified, record };
  });
}

/** Distinct `trade_no|modified` pairs. */
export const pairs = (
  trades: Array<{ tradeNo?: string; trade_no?: string; modified: string }>,
): Set<string> => new Set(trades.map((t) => `${t.tradeNo ?? t.trade_no}|${t.modified}`));
