import { type Admin } from 'kafkajs';

/** One partition of a topic as the broker sees it for a group; `committed` is -1 when the group never committed. */
export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
  committed: number;
}

/** The broker's offsets of every partition of `topic`, with `groupId`'s committed offset on each. */
export async function groupPartitionOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<PartitionOffsets[]> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  return ends.map((end) => ({
    partition: end.partition,
    low: Number(end.low),
    high: Number(end.high),
    committed: Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1),
  }));
}

/** Sum over partitions of (end offset − committed offset) of a group: 0 = everything consumed and committed. */
export async function consumerGroupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const partitions = await groupPartitionOffsets(admin, groupId, topic);
  return partitions.reduce((sum, p) => sum + p.high - (p.committed < 0 ? p.low : p.committed), 0);
}
