import { type Admin, type Kafka } from 'kafkajs';
import { sleep } from '@app/runtime';

export interface TopicBootstrapOptions {
  partitions: number;
  replicationFactor: number;
  /** Extra topic-level configs (retention …). */
  configs?: Record<string, string>;
}

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(
  kafka: Kafka,
  topics: string[],
  options: TopicBootstrapOptions,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: options.partitions,
        replicationFactor: options.replicationFactor,
        configEntries: Object.entries(options.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    await waitUntilServed(admin, missing, options.partitions);
    return missing;
  } catch (error) {
    // another service created them concurrently
    if ((error as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') return [];
    throw error;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until every partition of the new topics is served by its leader (answers ListOffsets).
 * KRaft names a leader before that broker has created its replica, and kafkajs' `waitForLeaders`
 * gives up on the UNKNOWN_TOPIC_OR_PARTITION it then meets; a consumer started on such a topic
 * meets NOT_LEADER on its first fetch and restarts.
 */
export async function waitUntilServed(
  admin: Admin,
  topics: string[],
  partitions: number,
  timeoutMs = 30000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const topic of topics) {
    for (;;) {
      const served = await admin.fetchTopicOffsets(topic).then(
        (offsets) => offsets.length === partitions,
        (error: unknown) => {
          if (Date.now() > deadline) throw error;
          return false;
        },
      );
      if (served) break;
      if (Date.now() > deadline)
        throw new Error(`topic ${topic}: not every partition is served after ${timeoutMs} ms`);
      await sleep(50);
    }
  }
}
