import { type Admin } from 'kafkajs';

function labels(values: Record<string, string | number>): string {
  const pairs = Object.entries(values).map(([key, value]) => `${key}=${JSON.stringify(String(value))}`);
  return `{${pairs.join(',')}}`;
}

/**
 * The families of Kafka Exporter (danielqsj/kafka_exporter, which Strimzi's `kafkaExporter` runs) that
 * the board and the alerts use, computed from the real broker of an end-to-end run: the topics' high
 * watermarks, each group's committed offsets and their difference. Names, help texts and labels are
 * the exporter's (monitoring/exporters/kafka-exporter.prom); like the exporter, a partition the group
 * never committed has no lag series. Kubernetes runs the exporter itself; the e2e has no Kubernetes.
 */
export async function brokerLagExposition(
  admin: Admin,
  groupIds: string[],
  topics: string[],
): Promise<string> {
  const high = new Map<string, Map<number, number>>(); // topic → partition → high watermark
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    high.set(topic, new Map(offsets.map((o) => [o.partition, Number(o.high)])));
  }
  const lines = [
    '# HELP kafka_topic_partition_current_offset Current Offset of a Broker at Topic/Partition',
    '# TYPE kafka_topic_partition_current_offset gauge',
  ];
  for (const [topic, partitions] of high)
    for (const [partition, offset] of partitions)
      lines.push(`kafka_topic_partition_current_offset${labels({ partition, topic })} ${offset}`);
  const current: string[] = [];
  const lag: string[] = [];
  for (const groupId of groupIds) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
      for (const { partition, offset } of partitions) {
        const committed = Number(offset);
        if (committed < 0) continue;
        const series = labels({ consumergroup: groupId, partition, topic });
        current.push(`kafka_consumergroup_current_offset${series} ${committed}`);
        lag.push(
          `kafka_consumergroup_lag${series} ${(high.get(topic)?.get(partition) ?? committed) - committed}`,
        );
      }
    }
  }
  lines.push(
    '# HELP kafka_consumergroup_current_offset Current Offset of a ConsumerGroup at Topic/Partition',
    '# TYPE kafka_consumergroup_current_offset gauge',
    ...current,
    '# HELP kafka_consumergroup_lag Current Approximate Lag of a ConsumerGroup at Topic/Partition',
    '# TYPE kafka_consumergroup_lag gauge',
    ...lag,
  );
  return `${lines.join('\n')}\n`;
}
