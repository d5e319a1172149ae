import { type Admin } from 'kafkajs';
import { join } from 'node:path';
import { loadEnv, transformerEnv } from '@app/config';
import { deadLetterTopic } from '@app/contracts';
import { loadMappingFile } from '@app/mapping';
import {
  createTopics,
  randomTopic,
  testBrokers,
  uniqueName,
  listenLocally,
  type RunningApp,
} from '@app/testing';
import { createTransformerApp } from '../../../apps/transformer/src';

export interface TransformerTestTopics {
  raw: string;
  replay: string;
  normalized: string;
  rawDlq: string;
  replayDlq: string;
  group: string;
  replayGroup: string;
}

/**
 * Fresh random topic names and group ids for one test; the topics are created (raw ones with
 * `rawPartitions`) unless `rawPartitions` is 0 (then the transformer's topic bootstrap creates them).
 */
export async function transformerTopics(admin: Admin, rawPartitions = 1): Promise<TransformerTestTopics> {
  const raw = randomTopic('raw');
  const replay = randomTopic('raw-replay');
  const names = {
    raw,
    replay,
    normalized: randomTopic('normalized'),
    rawDlq: deadLetterTopic(raw),
    replayDlq: deadLetterTopic(replay),
    group: uniqueName('erpsync.transformer'),
    replayGroup: uniqueName('erpsync.transformer.replay'),
  };
  if (rawPartitions > 0) {
    await createTopics(admin, [names.raw, names.replay], rawPartitions);
    await createTopics(admin, [names.normalized, names.rawDlq, names.replayDlq], 3);
  }
  return names;
}

/** The transformer in-process (same factory as main.ts), on the demo mapping, HTTP on a random port. */
export async function startTransformer(
  topics: TransformerTestTopics,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  const mappingFile = join(__dirname, '..', '..', '..', 'config', 'mapping.demo.yaml');
  const config = loadEnv(transformerEnv, {
    MAPPING_FILE: mappingFile,
    KAFKA_BROKERS: testBrokers().join(','),
    KAFKA_CLIENT_ID: 'transformer-test',
    KAFKA_BOOTSTRAP_TOPICS: 'false',
    LOG_LEVEL: 'silent',
    RAW_TOPIC: topics.raw,
    RAW_REPLAY_TOPIC: topics.replay,
    NORMALIZED_TOPIC: topics.normalized,
    TRANSFORMER_GROUP_ID: topics.group,
    TRANSFORMER_REPLAY_GROUP_ID: topics.replayGroup,
    CONSUMER_RETRY_INITIAL_MS: '20',
    CONSUMER_RETRY_MAX_MS: '200',
    CONSUMER_SESSION_TIMEOUT_MS: '10000',
    ...env,
  });
  return listenLocally(await createTransformerApp(config, loadMappingFile(config.MAPPING_FILE)));
}

/** `erpsync_transformer_orders_total` by outcome, scraped from /metrics. */
export async function transformerCounts(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^erpsync_transformer_orders_total\{outcome="(\w+)"\} (\d+)$/gm)) {
    counts[match[1]] = Number(match[2]);
  }
  return counts;
}
