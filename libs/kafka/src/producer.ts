import {
  CompressionTypes,
  Partitioners,
  type Kafka,
  type Message,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import { type Logger } from 'pino';
import { type Metrics } from '@app/observability';

export interface OutgoingMessage {
  key: string | null;
  value: string | Buffer;
  headers?: Record<string, string>;
  partition?: number;
}

export interface BatchingProducerOptions {
  /** How long a send waits for others to share its request. */
  lingerMs?: number;
  /** A batch is sent at once when it reaches this many messages. */
  maxBatchMessages?: number;
}

interface Pending {
  topic: string;
  messages: Message[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A producer that batches concurrent sends into one `sendBatch` with acks = all. `send` resolves
 * only when Kafka acknowledged every message of the call, so a caller may commit or checkpoint then.
 */
export class BatchingProducer {
  private readonly producer: Producer;
  private readonly lingerMs: number;
  private readonly maxBatchMessages: number;
  private queue: Pending[] = [];
  private queuedMessages = 0;
  private timer: NodeJS.Timeout | undefined;
  private connected = false;
  private inFlight = new Set<Promise<void>>();

  constructor(
    kafka: Kafka,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    options: BatchingProducerOptions = {},
  ) {
    this.lingerMs = options.lingerMs ?? 2;
    this.maxBatchMessages = options.maxBatchMessages ?? 1000;
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      maxInFlightRequests: 5,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.producer.on(this.producer.events.CONNECT, () => (this.connected = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** Resolves when every message is acknowledged by all in-sync replicas. */
  send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, messages: messages.map(toKafkaMessage), resolve, reject });
      this.queuedMessages += messages.length;
      if (this.queuedMessages >= this.maxBatchMessages) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  /** Sends whatever is queued now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.queuedMessages = 0;
    const byTopic = new Map<string, Message[]>();
    for (const pending of batch) {
      const list = byTopic.get(pending.topic) ?? [];
      list.push(...pending.messages);
      byTopic.set(pending.topic, list);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    const request = this.producer
      .sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None })
      .then(() => {
        for (const { topic, messages } of topicMessages)
          this.metrics.kafkaProduced.inc({ topic }, messages.length);
        batch.forEach((pending) => pending.resolve());
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error, topics: [...byTopic.keys()] }, 'kafka produce failed');
        batch.forEach((pending) => pending.reject(error));
      })
      .finally(() => this.inFlight.delete(request));
    this.inFlight.add(request);
  }

  async disconnect(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.inFlight]);
    await this.producer.disconnect();
    this.connected = false;
  }
}

function toKafkaMessage(message: OutgoingMessage): Message {
  return {
    key: message.key,
    value: message.value,
    headers: message.headers,
    partition: message.partition,
  };
}
