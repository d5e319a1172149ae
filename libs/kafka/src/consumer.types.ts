/** One consumed record as handlers see it. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  /** Header values decoded as UTF-8 strings (first value when repeated). */
  headers: Record<string, string>;
  /** Broker timestamp (ms since epoch, as a string). */
  timestamp: string;
  /** 1 on first delivery to the handler, 2 on the first in-process retry, … */
  attempt: number;
}

/** An expected outcome of a handler; failures are thrown as RetriableError / NonRetriableError / FatalError. */
export type HandlerOutcome = 'success' | 'skipped';

export type MessageHandler = (message: ConsumedMessage) => Promise<HandlerOutcome | void>;

export interface RetryPolicy {
  /** Retries after the first attempt before the message is dead-lettered. */
  attempts: number;
  initialMs: number;
  maxMs: number;
}

export interface ConsumerRunnerOptions {
  /** Name used in logs and health (e.g. `live`, `replay`). */
  name: string;
  /** Consumer group id exactly as it appears in Kafka. */
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /** Partitions handled at once (order kept inside a partition). */
  partitionConcurrency?: number;
  /** Distinct keys handled at once inside one partition's batch (order kept per key). */
  keyConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** DLQ topic for a source topic; default `<topic>.dlq`. */
  deadLetterTopic?: (topic: string) => string;
  /** Called before a message is dead-lettered (e.g. to record `failed` in a ledger). */
  onDeadLetter?: (message: ConsumedMessage, error: unknown, attempts: number) => Promise<void>;
  /** Lower priority: wait while this predicate says the higher-priority consumer is busy. */
  yieldWhile?: () => boolean;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
}

export interface ConsumerHealth {
  joined: boolean;
  crashed: boolean;
  cause?: string;
}
