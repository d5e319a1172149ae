import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { deadLetterTopic } from '@app/contracts';
import { ConsoleJobRepository } from '@app/persistence';
import {
  type DeadLetter,
  type DeadLetterQueue,
  type DeadLetterRecord,
  type DeadLetterSource,
  type Page,
  type RedriveRequest,
} from '../console-api';
import { CONSOLE_CONFIG, CONSOLE_KAFKA, type ConsoleConfig } from '../console.tokens';
import { bodyView } from '../http/masking';
import { DeadLetterIndex, deadLetterFacts, type IndexedDeadLetter } from './dead-letter-index';

export const DEAD_LETTER_SOURCES: readonly DeadLetterSource[] = ['raw-dlq', 'replay-dlq', 'normalized-dlq'];

interface Queue {
  source: DeadLetterSource;
  index: DeadLetterIndex;
  /** The hop that writes this DLQ when the record does not say (the extractor sets dlq-hop). */
  hop: string;
}

export interface DeadLetterFilter {
  reason?: string;
  errorClass?: string;
}

/** The pipeline's three DLQs as the console browses them, and what a redrive selection means. */
@Injectable()
export class DeadLettersService {
  private readonly queues: Map<DeadLetterSource, Queue>;

  constructor(
    @Inject(CONSOLE_KAFKA) kafka: Kafka,
    @Inject(CONSOLE_CONFIG) config: ConsoleConfig,
    private readonly jobs: ConsoleJobRepository,
  ) {
    const queue = (source: DeadLetterSource, topic: string, hop: string): [DeadLetterSource, Queue] => [
      source,
      { source, index: new DeadLetterIndex(kafka, deadLetterTopic(topic)), hop },
    ];
    this.queues = new Map([
      queue('raw-dlq', config.RAW_TOPIC, 'transformer'),
      queue('replay-dlq', config.RAW_REPLAY_TOPIC, 'transformer'),
      queue('normalized-dlq', config.NORMALIZED_TOPIC, 'loader'),
    ]);
  }

  queue(source: string): Queue {
    const found = this.queues.get(source as DeadLetterSource);
    if (!found)
      throw new NotFoundException(
        `no dead-letter queue "${source}" (one of ${DEAD_LETTER_SOURCES.join(', ')})`,
      );
    return found;
  }

  async summary(): Promise<DeadLetterQueue[]> {
    return Promise.all(
      [...this.queues.values()].map(async ({ source, index, hop }) => {
        const counts = new Map<string, { reason: string; errorClass: string; count: number }>();
        const records = await index.all();
        for (const record of records) {
          const { reason, errorClass } = deadLetterFacts(record, hop);
          const key = `${reason}\u0000${errorClass}`;
          const entry = counts.get(key) ?? { reason, errorClass, count: 0 };
          entry.count++;
          counts.set(key, entry);
        }
        return {
          source,
          topic: index.topic,
          total: records.length,
          byReason: [...counts.values()].sort((a, b) => b.count - a.count),
        };
      }),
    );
  }

  async list(
    source: string,
    filter: DeadLetterFilter,
    page: number,
    pageSize: number,
  ): Promise<Page<DeadLetter>> {
    const queue = this.queue(source);
    const matching = await this.matching(queue, filter);
    const redriven = await this.jobs.redrivenOf(queue.index.topic);
    const newestFirst = [...matching].reverse();
    const rows = newestFirst
      .slice((page - 1) * pageSize, page * pageSize)
      .map((record) => this.view(queue, record, redriven));
    return { rows, total: matching.length, page, pageSize };
  }

  async record(
    source: string,
    partition: number,
    offset: string,
    reveal: boolean,
  ): Promise<DeadLetterRecord> {
    const queue = this.queue(source);
    const record = (await queue.index.all()).find((r) => r.partition === partition && r.offset === offset);
    if (!record)
      throw new NotFoundException(
        `no dead letter at ${queue.index.topic} partition ${partition} offset ${offset}`,
      );
    const redriven = await this.jobs.redrivenOf(queue.index.topic);
    return {
      ...this.view(queue, record, redriven),
      headers: record.headers,
      payload: bodyView(record.value?.toString('utf8') ?? null, reveal),
      masked: !reveal,
    };
  }

  /** The `partition:offset` of every record a redrive selection names (400 when it names none). */
  async selection(source: string, request: RedriveRequest | undefined): Promise<string[]> {
    const queue = this.queue(source);
    const records = await queue.index.all(true);
    let chosen: IndexedDeadLetter[];
    switch (request?.kind) {
      case 'records': {
        if (!Array.isArray(request.records) || request.records.length === 0)
          throw new BadRequestException('records: select at least one dead letter');
        const wanted = new Set(request.records.map((r) => `${Number(r.partition)}:${String(r.offset)}`));
        chosen = records.filter((r) => wanted.has(`${r.partition}:${r.offset}`));
        if (chosen.length !== wanted.size)
          throw new BadRequestException(
            `${wanted.size - chosen.length} of the selected dead letters are not in ${queue.index.topic}`,
          );
        break;
      }
      case 'reason':
        if (typeof request.reason !== 'string' || request.reason === '')
          throw new BadRequestException('reason is required');
        chosen = await this.matching(queue, { reason: request.reason });
        break;
      case 'all':
        chosen = records;
        break;
      default:
        throw new BadRequestException('kind must be records, reason or all');
    }
    if (chosen.length === 0) throw new BadRequestException('nothing to redrive: the selection is empty');
    return chosen.map((r) => `${r.partition}:${r.offset}`);
  }

  private async matching(queue: Queue, filter: DeadLetterFilter): Promise<IndexedDeadLetter[]> {
    return (await queue.index.all()).filter((record) => {
      const facts = deadLetterFacts(record, queue.hop);
      return (
        (!filter.reason || facts.reason === filter.reason) &&
        (!filter.errorClass || facts.errorClass === filter.errorClass)
      );
    });
  }

  private view(queue: Queue, record: IndexedDeadLetter, redriven: Map<string, Date>): DeadLetter {
    const facts = deadLetterFacts(record, queue.hop);
    return {
      source: queue.source,
      topic: queue.index.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key,
      timestamp: record.timestamp,
      redrivenAt: redriven.get(`${record.partition}:${record.offset}`)?.toISOString() ?? null,
      ...facts,
    };
  }
}
