import { type Kafka } from 'kafkajs';

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
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: options.partitions,
        replicationFactor: options.replicationFactor,
        configEntries: Object.entries(options.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    return missing;
  } catch (error) {
    // another service created them concurrently
    if ((error as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') return [];
    throw error;
  } finally {
    await admin.disconnect();
  }
}
