import { type Kafka, type KafkaMessage } from 'kafkajs';

export interface PartitionRange {
  partition: number;
  /** First offset to read (inclusive). */
  start: number;
  /** Offset to stop before (exclusive). */
  end: number;
}

export interface RangeRecord {
  partition: number;
  message: KafkaMessage;
}

/**
 * The offset range of each partition that holds records with broker timestamps in [from, to);
 * open bounds read from the beginning / to the current end.
 */
export async function rangesForTimes(
  kafka: Kafka,
  topic: string,
  from?: Date,
  to?: Date,
): Promise<PartitionRange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const starts = from ? await admin.fetchTopicOffsetsByTimestamp(topic, from.getTime()) : undefined;
    const stops = to ? await admin.fetchTopicOffsetsByTimestamp(topic, to.getTime()) : undefined;
    return ends.map((end) => {
      const high = Number(end.high);
      const low = Number(end.low);
      // fetchTopicOffsetsByTimestamp answers -1 when no record is that late: the range ends at the high watermark
      const at = (list: typeof starts, fallback: number) => {
        const found = list?.find((p) => p.partition === end.partition)?.offset;
        return found === undefined ? fallback : Number(found) < 0 ? high : Number(found);
      };
      return {
        partition: end.partition,
        start: Math.max(low, at(starts, low)),
        end: Math.min(high, at(stops, high)),
      };
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads every record of the given partition ranges once, with a throw-away consumer group, and hands
 * them to `onRecord` in partition order. Resolves when every range is read.
 */
export async function readRanges(
  kafka: Kafka,
  topic: string,
  ranges: PartitionRange[],
  groupId: string,
  onRecord: (record: RangeRecord) => Promise<void>,
): Promise<number> {
  const pending = new Map(
    ranges.filter((range) => range.end > range.start).map((range) => [range.partition, range]),
  );
  if (pending.size === 0) return 0;
  let read = 0;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const range = pending.get(batch.partition);
        if (!range) return;
        try {
          for (const message of batch.messages) {
            const offset = Number(message.offset);
            if (offset < range.start) continue;
            if (offset >= range.end) break;
            await onRecord({ partition: batch.partition, message });
            read++;
            if (read % 500 === 0) await heartbeat();
          }
          const last = Number(batch.messages[batch.messages.length - 1]?.offset ?? -1);
          if (last + 1 >= range.end) {
            pending.delete(batch.partition);
            consumer.pause([{ topic, partitions: [batch.partition] }]);
            if (pending.size === 0) finish();
          }
        } catch (error) {
          fail(error);
        }
      },
    });
    const idle = ranges.filter((range) => !pending.has(range.partition)).map((range) => range.partition);
    if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
    for (const range of pending.values())
      consumer.seek({ topic, partition: range.partition, offset: String(range.start) });
    await finished;
    return read;
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
