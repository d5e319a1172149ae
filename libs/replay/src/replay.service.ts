import { randomUUID } from 'node:crypto';
import { type IHeaders, type Kafka } from 'kafkajs';
import { deadLetterTopic, Headers, Topics } from '@app/contracts';
import { decodeHeaders, headerText, type BatchingProducer, type OutgoingMessage } from '@app/kafka';
import { rangesForTimes, readRanges } from './topic-range-reader';

export const ReplaySources = ['raw', 'raw-dlq', 'replay-dlq', 'normalized-dlq'] as const;
export type ReplaySource = (typeof ReplaySources)[number];

export interface ReplayRequest {
  source: ReplaySource;
  /** Broker-time range of the records to take (Kafka offsets for timestamps); open when absent. */
  from?: Date;
  to?: Date;
  /** Only these trade numbers (the record key); all when absent. */
  tradeNos?: string[];
  /** For a DLQ redrive: only records dead-lettered for this reason (`dlq-error-reason`). */
  reason?: string;
  /** Only these records (`partition:offset`), e.g. the dead letters an operator selected. */
  records?: string[];
}

export interface ReplayProgress {
  id: string;
  request: ReplayRequest;
  state: 'running' | 'done' | 'failed';
  scanned: number;
  replayed: number;
  target: string;
  error?: string;
  startedAt: string;
  finishedAt?: string;
}

const DLQ_HEADER_PREFIX = 'dlq-';

/**
 * Re-sends records of a topic (a time range and/or a list of trade numbers) to where they are processed
 * again. Safe to repeat: the loader's ledger turns an unchanged order into `unchanged`, never a second create.
 */
export interface ReplayTopics {
  source: Record<ReplaySource, string>;
  target: Record<ReplaySource, string>;
}

/** Where each source is read and where its records go, for the given topic names. */
export function replayTopics(names: { raw: string; replay: string; normalized: string }): ReplayTopics {
  return {
    source: {
      raw: names.raw,
      'raw-dlq': deadLetterTopic(names.raw),
      'replay-dlq': deadLetterTopic(names.replay),
      'normalized-dlq': deadLetterTopic(names.normalized),
    },
    target: {
      raw: names.replay,
      'raw-dlq': names.replay,
      'replay-dlq': names.replay,
      'normalized-dlq': names.normalized,
    },
  };
}

export class ReplayService {
  constructor(
    private readonly kafka: Kafka,
    private readonly producer: BatchingProducer,
    private readonly topics: ReplayTopics = replayTopics({
      raw: Topics.rawTrades,
      replay: Topics.rawTradesReplay,
      normalized: Topics.normalizedOrders,
    }),
  ) {}

  async run(
    request: ReplayRequest,
    onProgress?: (progress: ReplayProgress) => void,
    id: string = randomUUID(),
  ): Promise<ReplayProgress> {
    validateRequest(request);
    const progress: ReplayProgress = {
      id,
      request,
      state: 'running',
      scanned: 0,
      replayed: 0,
      target: this.topics.target[request.source],
      startedAt: new Date().toISOString(),
    };
    const wanted = request.tradeNos ? new Set(request.tradeNos) : undefined;
    const records = request.records ? new Set(request.records) : undefined;
    const topic = this.topics.source[request.source];
    try {
      const ranges = await rangesForTimes(this.kafka, topic, request.from, request.to);
      let pending: Promise<void>[] = [];
      await readRanges(this.kafka, topic, ranges, `erpsync.replay.${id}`, async ({ partition, message }) => {
        progress.scanned++;
        if (records && !records.has(`${partition}:${message.offset}`)) return;
        const key = message.key?.toString('utf8') ?? null;
        if (wanted && (key === null || !wanted.has(key))) return;
        if (request.reason && headerText(message.headers, Headers.dlqErrorReason) !== request.reason) return;
        pending.push(
          this.producer.send(progress.target, [
            this.toReplayMessage(key, message.value, message.headers, id),
          ]),
        );
        progress.replayed++;
        if (pending.length >= 500) {
          await Promise.all(pending);
          pending = [];
          onProgress?.(progress);
        }
      });
      await Promise.all(pending);
      progress.state = 'done';
    } catch (error) {
      progress.state = 'failed';
      progress.error = error instanceof Error ? error.message : String(error);
    }
    progress.finishedAt = new Date().toISOString();
    onProgress?.(progress);
    return progress;
  }

  private toReplayMessage(
    key: string | null,
    value: Buffer | null,
    headers: IHeaders | undefined,
    replayId: string,
  ): OutgoingMessage {
    const kept = Object.fromEntries(
      Object.entries(decodeHeaders(headers)).filter(([name]) => !name.startsWith(DLQ_HEADER_PREFIX)),
    );
    return { key, value: value ?? Buffer.alloc(0), headers: { ...kept, [Headers.replayId]: replayId } };
  }
}

export class ReplayRequestError extends Error {}

export function validateRequest(request: ReplayRequest): void {
  if (!ReplaySources.includes(request.source))
    throw new ReplayRequestError(`source must be one of ${ReplaySources.join(', ')}`);
  for (const [name, value] of [
    ['from', request.from],
    ['to', request.to],
  ] as const) {
    if (value !== undefined && Number.isNaN(value.getTime()))
      throw new ReplayRequestError(`${name} is not a valid time`);
  }
  if (request.from && request.to && request.from >= request.to)
    throw new ReplayRequestError('from must be before to');
  if (request.tradeNos && request.tradeNos.length === 0) throw new ReplayRequestError('tradeNos is empty');
  if (request.records && request.records.length === 0) throw new ReplayRequestError('records is empty');
  if (request.records?.some((record) => !/^\d+:\d+$/.test(record)))
    throw new ReplayRequestError('records are partition:offset');
  if (request.source === 'raw' && !request.from && !request.to && !request.tradeNos) {
    throw new ReplayRequestError(
      'a replay of the raw topic needs a time range or trade numbers (refusing to replay everything by accident; pass from=1970-01-01 to mean it)',
    );
  }
}
