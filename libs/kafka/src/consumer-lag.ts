import { type Admin } from 'kafkajs';

/** Sum over partitions of (end offset − committed offset) of a group: 0 = everything consumed and committed. */
export async function consumerGroupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  return ends.reduce((sum, end) => {
    const done = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
    return sum + Number(end.high) - (done < 0 ? Number(end.low) : done);
  }, 0);
}
