import { type RetriableError } from '@app/contracts';

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
  /** 1 on first delivery to the handler, 2 on the first in-process retry, … (= `HandlerContext.attempt`). */
  attempt: number;
}

/** What the runner tells a handler about the delivery in hand. */
export interface HandlerContext {
  /** 1 on first delivery, 2 on the first in-process retry, … */
  attempt: number;
  /** No retry follows this attempt: a retriable failure now goes to the DLQ. */
  lastAttempt: boolean;
}

/**
 * What a handler decided. Expected outcomes are values, not exceptions; a thrown error is mapped
 * by its class (RetriableError → retry, FatalError → stop, anything else → dead_letter).
 */
export type Outcome =
  | { kind: 'done' }
  | { kind: 'skip' }
  /** `reason`: the `dlq-error-reason` header; its part before any `:` is the metric label. */
  | { kind: 'dead_letter'; reason: string; error?: unknown }
  | { kind: 'retry'; error: RetriableError };

export type OutcomeKind = Outcome['kind'];

export const Outcome = {
  done: { kind: 'done' } as Outcome,
  skip: { kind: 'skip' } as Outcome,
  deadLetter: (reason: string, error?: unknown): Outcome => ({ kind: 'dead_letter', reason, error }),
  retry: (error: RetriableError): Outcome => ({ kind: 'retry', error }),
  /** A retriable failure on the last attempt: dead-lettered as `retries_exhausted:<reason>`. */
  retriesExhausted: (error: RetriableError): Outcome => ({
    kind: 'dead_letter',
    reason: `retries_exhausted:${error.reason}`,
    error,
  }),
} as const;

/** A consumer's handler: a plain function of the message and its delivery context. */
export type MessageHandler = (message: ConsumedMessage, context: HandlerContext) => Promise<Outcome>;

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
  /** Lower priority: wait while this predicate says the higher-priority consumer is busy. */
  yieldWhile?: () => boolean;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  /**
   * How long the consumer may stay out of its group (kafkajs reconnecting on its own) before the
   * runner replaces it with a new one; default 60 s.
   */
  rejoinDeadlineMs?: number;
}

export interface ConsumerHealth {
  joined: boolean;
  crashed: boolean;
  cause?: string;
}
