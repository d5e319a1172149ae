import { randomUUID } from 'node:crypto';
import { type Kafka } from 'kafkajs';
import { Headers } from '@app/contracts';
import { decodeHeaders } from '@app/kafka';
import { readRanges } from '@app/replay';

/** One dead letter as the console keeps it: where it is, its headers, its payload. */
export interface IndexedDeadLetter {
  partition: number;
  offset: string;
  key: string | null;
  timestamp: string;
  headers: Record<string, string>;
  value: Buffer | null;
}

/** Records kept per DLQ (the newest); a DLQ longer than this is an incident the board already shows. */
export const INDEX_LIMIT = 50_000;

/**
 * The records of one DLQ topic, read incrementally: each refresh reads only what was appended since
 * the last one (partition by partition), and forgets what retention deleted. Refreshes share one
 * read in flight and happen at most every `minIntervalMs`.
 */
export class DeadLetterIndex {
  private records: IndexedDeadLetter[] = [];
  /** Next offset to read, per partition. */
  private readonly next = new Map<number, number>();
  private refreshing: Promise<void> | undefined;
  private refreshedAt = 0;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly minIntervalMs = 2000,
  ) {}

  /** Every record, oldest first, after bringing the index up to date. */
  async all(force = false): Promise<IndexedDeadLetter[]> {
    if (force || Date.now() - this.refreshedAt >= this.minIntervalMs) {
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
      await this.refreshing;
    }
    return this.records;
  }

  private async refresh(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    let offsets: Array<{ partition: number; low: string; high: string }>;
    try {
      if (!(await admin.listTopics()).includes(this.topic)) {
        this.records = [];
        this.refreshedAt = Date.now();
        return;
      }
      offsets = await admin.fetchTopicOffsets(this.topic);
    } finally {
      await admin.disconnect();
    }
    const lows = new Map(offsets.map((o) => [o.partition, Number(o.low)]));
    const ranges = offsets
      .map((o) => ({
        partition: o.partition,
        start: Math.max(Number(o.low), this.next.get(o.partition) ?? 0),
        end: Number(o.high),
      }))
      .filter((range) => range.end > range.start);
    const fresh: IndexedDeadLetter[] = [];
    if (ranges.length > 0) {
      await readRanges(
        this.kafka,
        this.topic,
        ranges,
        `erpsync.console.${randomUUID()}`,
        ({ partition, message }) => {
          fresh.push({
            partition,
            offset: message.offset,
            key: message.key?.toString('utf8') ?? null,
            timestamp: new Date(Number(message.timestamp)).toISOString(),
            headers: decodeHeaders(message.headers),
            value: message.value,
          });
          return Promise.resolve();
        },
      );
      for (const range of ranges) this.next.set(range.partition, range.end);
    }
    const kept = this.records.filter((r) => Number(r.offset) >= (lows.get(r.partition) ?? 0));
    fresh.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    this.records = [...kept, ...fresh].slice(-INDEX_LIMIT);
    this.refreshedAt = Date.now();
  }
}

/** What a dead letter says of itself through its headers. */
export function deadLetterFacts(record: IndexedDeadLetter, defaultHop: string) {
  const h = record.headers;
  return {
    reason: h[Headers.dlqErrorReason] ?? 'unknown',
    /** The problem class behind a generic reason (the extractor's invalid_trade: missing_field …). */
    detail: h[Headers.dlqErrorDetail] ?? null,
    errorClass: h[Headers.dlqErrorClass] ?? 'unknown',
    message: h[Headers.dlqErrorMessage] ?? '',
    hop: h[Headers.dlqHop] ?? defaultHop,
    failedAt: h[Headers.dlqFailedAt] ?? null,
  };
}
