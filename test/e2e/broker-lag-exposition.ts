import { type Admin } from 'kafkajs';
import { groupPartitionOffsets } from '@app/kafka';

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
  const ends: string[] = [];
  const current: string[] = [];
  const lag: string[] = [];
  for (const topic of topics) {
    for (const [index, groupId] of groupIds.entries()) {
      for (const { partition, high, committed } of await groupPartitionOffsets(admin, groupId, topic)) {
        if (index === 0)
          ends.push(`kafka_topic_partition_current_offset${labels({ partition, topic })} ${high}`);
        if (committed < 0) continue;
        const series = labels({ consumergroup: groupId, partition, topic });
        current.push(`kafka_consumergroup_current_offset${series} ${committed}`);
        lag.push(`kafka_consumergroup_lag${series} ${high - committed}`);
      }
    }
  }
  return [
    '# HELP kafka_topic_partition_current_offset Current Offset of a Broker at Topic/Partition',
    '# TYPE kafka_topic_partition_current_offset gauge',
    ...ends,
    '# HELP kafka_consumergroup_current_offset Current Offset of a ConsumerGroup at Topic/Partition',
    '# TYPE kafka_consumergroup_current_offset gauge',
    ...current,
    '# HELP kafka_consumergroup_lag Current Approximate Lag of a ConsumerGroup at Topic/Partition',
    '# TYPE kafka_consumergroup_lag gauge',
    ...lag,
    '',
  ].join('\n');
}
