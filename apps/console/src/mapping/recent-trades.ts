import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { wdtModifiedOf, wdtTradeNoOf } from '@app/contracts';
import { readRanges } from '@app/replay';
import { CONSOLE_CONFIG, CONSOLE_KAFKA, type ConsoleConfig } from '../console.tokens';

export interface RecentTradeRecord {
  tradeNo: string | null;
  shopNo: string | null;
  modified: string | null;
  trade: unknown;
}

/** How many of the newest raw trades the mapping page offers (spread over the partitions). */
const RECENT = 50;

/** The newest raw trades from the raw topic, cached a few seconds (the mapping page and the dry run). */
@Injectable()
export class RecentTrades {
  private cached: { at: number; trades: RecentTradeRecord[] } | undefined;

  constructor(
    @Inject(CONSOLE_KAFKA) private readonly kafka: Kafka,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  async list(): Promise<RecentTradeRecord[]> {
    if (this.cached && Date.now() - this.cached.at < 10_000) return this.cached.trades;
    const topic = this.config.RAW_TOPIC;
    const admin = this.kafka.admin();
    await admin.connect();
    let offsets: Array<{ partition: number; low: string; high: string }> = [];
    try {
      if ((await admin.listTopics()).includes(topic)) offsets = await admin.fetchTopicOffsets(topic);
    } finally {
      await admin.disconnect();
    }
    const perPartition = Math.max(1, Math.ceil(RECENT / Math.max(1, offsets.length)));
    const ranges = offsets.map((o) => ({
      partition: o.partition,
      start: Math.max(Number(o.low), Number(o.high) - perPartition),
      end: Number(o.high),
    }));
    const found: Array<RecentTradeRecord & { timestamp: number }> = [];
    await readRanges(this.kafka, topic, ranges, `erpsync.console.${randomUUID()}`, ({ message }) => {
      let trade: unknown = null;
      try {
        trade = JSON.parse(message.value?.toString('utf8') ?? 'null') as unknown;
      } catch {
        trade = message.value?.toString('utf8') ?? null;
      }
      const record = trade !== null && typeof trade === 'object' ? (trade as Record<string, unknown>) : {};
      found.push({
        tradeNo: wdtTradeNoOf(trade) ?? message.key?.toString('utf8') ?? null,
        shopNo:
          typeof record.shop_no === 'string' || typeof record.shop_no === 'number'
            ? String(record.shop_no)
            : null,
        modified: wdtModifiedOf(trade) ?? null,
        trade,
        timestamp: Number(message.timestamp),
      });
      return Promise.resolve();
    });
    const trades = found
      .sort((a, b) => b.timestamp - a.timestamp)
      .slice(0, RECENT)
      .map(({ timestamp: _timestamp, ...rest }) => rest);
    this.cached = { at: Date.now(), trades };
    return trades;
  }
}
