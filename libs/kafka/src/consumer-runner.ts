import { type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage } from 'kafkajs';
import { type Logger } from 'pino';
import { deadLetterTopic, FatalError, RetriableError } from '@app/contracts';
import { type Metrics } from '@app/observability';
import { backoffDelay, sleep, workerPool } from '@app/runtime';
import {
  Outcome,
  type ConsumedMessage,
  type ConsumerHealth,
  type ConsumerRunnerOptions,
  type HandlerContext,
  type MessageHandler,
  type OutcomeKind,
  type RetryPolicy,
} from './consumer.types';
import { deadLetterHeaders, decodeHeaders } from './kafka-headers';
import { type BatchingProducer } from './producer';

const DEFAULT_RETRY: RetryPolicy = { attempts: 8, initialMs: 200, maxMs: 30000 };
/** Commit progress inside a long batch at least this often. */
const COMMIT_INTERVAL_MS = 1000;
/** A consumer counts as busy for this long after its last batch (the gap between two fetches). */
const BUSY_GRACE_MS = 250;

/** Out of its group longer than this (kafkajs retrying on its own), a consumer is replaced. */
const REJOIN_DEADLINE_MS = 60_000;
/** Replacements of a consumer that never rejoins back off up to this. */
const REBUILD_MAX_DELAY_MS = 30_000;

/** Why the runner replaced a consumer (the `reason` label of erpsync_kafka_consumer_rebuilds_total). */
type RebuildReason = 'gave_up' | 'out_of_group';

/** Thrown inside a batch when the runner is stopping: the message stays uncommitted. */
class StopRequested extends Error {}

const describeError = (error: unknown): { errorClass: string; message: string; reason: string } => {
  if (error instanceof Error) {
    const reason = (error as { reason?: unknown }).reason;
    return {
      errorClass: error.constructor.name || error.name,
      message: error.message,
      reason: typeof reason === 'string' ? reason : 'unexpected_error',
    };
  }
  return { errorClass: typeof error, message: String(error), reason: 'unexpected_error' };
};

type DeadLetterOutcome = Extract<Outcome, { kind: 'dead_letter' }>;

/** The `outcome` label of `erpsync_messages_processed_total` for each final outcome. */
const processedLabel: Record<Exclude<OutcomeKind, 'retry'>, string> = {
  done: 'success',
  skip: 'skipped',
  dead_letter: 'dead_lettered',
};

/**
 * The handler's outcome; a thrown error mapped by its class: RetriableError → retry, FatalError →
 * rethrown (the consumer stops), anything else → dead_letter with the error's reason.
 */
async function outcomeOf(
  handler: MessageHandler,
  message: ConsumedMessage,
  context: HandlerContext,
): Promise<Outcome> {
  try {
    return await handler(message, context);
  } catch (error) {
    if (error instanceof FatalError) throw error;
    if (error instanceof RetriableError) return Outcome.retry(error);
    return Outcome.deadLetter(describeError(error).reason, error);
  }
}

/** Which offsets of a batch are done, and the commit of the contiguous done prefix. */
class BatchProgress {
  readonly done = new Set<string>();
  private committedUpTo = -1;
  private lastCommitAt = Date.now();

  constructor(
    private readonly consumer: Consumer,
    private readonly payload: Pick<EachBatchPayload, 'batch' | 'resolveOffset'>,
  ) {}

  /** Commits the done prefix; unless forced, at most once per COMMIT_INTERVAL_MS. */
  async commit(force: boolean): Promise<void> {
    const { batch, resolveOffset } = this.payload;
    let upTo = this.committedUpTo;
    for (const message of batch.messages) {
      if (Number(message.offset) <= upTo) continue;
      if (!this.done.has(message.offset)) break;
      upTo = Number(message.offset);
    }
    if (upTo === this.committedUpTo) return;
    if (!force && Date.now() - this.lastCommitAt < COMMIT_INTERVAL_MS) return;
    resolveOffset(String(upTo));
    await this.consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: String(upTo + 1) },
    ]);
    this.committedUpTo = upTo;
    this.lastCommitAt = Date.now();
  }
}

/** Distinct keys in parallel (at most `concurrency`), the messages of one key in order. */
async function handleByKey(
  messages: KafkaMessage[],
  concurrency: number,
  handleOne: (message: KafkaMessage) => Promise<void>,
  shouldContinue: () => boolean,
): Promise<void> {
  const byKey = new Map<string, KafkaMessage[]>();
  for (const message of messages) {
    const key = message.key?.toString('utf8') ?? '';
    const list = byKey.get(key);
    if (list) list.push(message);
    else byKey.set(key, [message]);
  }
  const groups = [...byKey.values()];
  await workerPool(
    groups,
    concurrency,
    async (group) => {
      for (const message of group) {
        if (!shouldContinue()) return;
        await handleOne(message);
      }
    },
    { continueWhile: shouldContinue, stopOnFailure: 'worker' },
  );
}

/**
 * Runs one consumer group: batch consumption, partitions in parallel with order kept inside a
 * partition (and, optionally, distinct keys in parallel with order kept per key), offsets committed
 * only after the handler's side effects are done, retriable failures retried with jittered backoff
 * (the partition waits; heartbeats continue), everything else dead-lettered with context headers.
 * Handlers return an Outcome; the runner alone writes the DLQ and commits.
 */
export class ConsumerRunner {
  private consumer: Consumer;
  private readonly retry: RetryPolicy;
  private readonly deadLetterTopicOf: (topic: string) => string;
  private readonly rejoinDeadlineMs: number;
  private state: ConsumerHealth = { joined: false, crashed: false };
  private stopping = false;
  private fatal: FatalError | undefined;
  private activeBatches = 0;
  private lastBatchEndedAt = 0;
  private handler: MessageHandler | undefined;
  private outOfGroupSince = Date.now();
  private watchdog: NodeJS.Timeout | undefined;
  private pendingRebuild: NodeJS.Timeout | undefined;
  private rebuilding = false;
  /** Replacements since the consumer last joined its group (the backoff of the next one). */
  private rebuildsSinceJoin = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: BatchingProducer,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: ConsumerRunnerOptions,
  ) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.deadLetterTopicOf = options.deadLetterTopic ?? deadLetterTopic;
    this.rejoinDeadlineMs = options.rejoinDeadlineMs ?? REJOIN_DEADLINE_MS;
    this.consumer = this.createConsumer();
  }

  /**
   * A kafkajs consumer whose events drive the health state. Events of a consumer that has been
   * replaced are ignored. kafkajs restarts a crashed consumer itself only when it deems the error
   * retriable; when it gives up (`restart: false`) on anything but a FatalError, or when the
   * consumer stays out of its group past the deadline, the runner replaces it.
   */
  private createConsumer(): Consumer {
    const sessionTimeout = this.options.sessionTimeoutMs ?? 30000;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout,
      heartbeatInterval: Math.floor(sessionTimeout / 10),
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 1048576,
      allowAutoTopicCreation: false,
      retry: {
        retries: 10,
        restartOnFailure: async (error) => !(error instanceof FatalError) && !this.fatal,
      },
    });
    const current = () => consumer === this.consumer;
    const { GROUP_JOIN, CRASH, STOP, DISCONNECT } = consumer.events;
    consumer.on(GROUP_JOIN, () => {
      if (!current()) return;
      this.state = { joined: true, crashed: false };
      this.rebuildsSinceJoin = 0;
    });
    consumer.on(CRASH, ({ payload }) => {
      if (!current()) return;
      this.logger.error(
        { consumer: this.options.name, err: payload.error, restart: payload.restart },
        'kafka consumer crashed',
      );
      this.leaveGroup();
      // kafkajs has stopped this consumer already; a FatalError outside a batch stops the runner too
      if (payload.error instanceof FatalError) this.fatal ??= payload.error;
      const givenUp = !payload.restart && !this.fatal && !this.stopping;
      const crashed = !payload.restart && !givenUp; // stopped or fatal: no replacement comes
      this.state = { joined: false, crashed, cause: payload.error.message };
      if (givenUp) this.scheduleRebuild('gave_up', `kafkajs gave up: ${payload.error.message}`);
    });
    consumer.on(STOP, () => current() && this.leaveGroup());
    consumer.on(DISCONNECT, () => current() && this.leaveGroup());
    return consumer;
  }

  private leaveGroup(): void {
    if (this.state.joined) this.outOfGroupSince = Date.now();
    this.state = { ...this.state, joined: false };
  }

  get name(): string {
    return this.options.name;
  }

  health(): ConsumerHealth {
    if (this.fatal) return { joined: false, crashed: true, cause: this.fatal.message };
    return this.state;
  }

  /** True while a batch is being handled (and briefly after): what a lower-priority consumer yields to. */
  isBusy(): boolean {
    return this.activeBatches > 0 || Date.now() - this.lastBatchEndedAt < BUSY_GRACE_MS;
  }

  async start(handler: MessageHandler): Promise<void> {
    this.handler = handler;
    this.outOfGroupSince = Date.now();
    await this.launch(this.consumer, handler);
    this.watchdog = setInterval(() => this.checkMembership(), Math.min(5000, this.rejoinDeadlineMs / 4));
    this.watchdog.unref();
  }

  /** Graceful stop: no new fetches, the batch in hand finishes its current messages, progress is committed. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdog);
    clearTimeout(this.pendingRebuild);
    await this.consumer.disconnect();
  }

  private async launch(consumer: Consumer, handler: MessageHandler): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({
      topics: this.options.topics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionConcurrency ?? 1,
      eachBatch: (payload) => this.handleBatch(payload, handler),
    });
  }

  /** Out of the group past the deadline with no batch in hand: kafkajs is not getting back in. */
  private checkMembership(): void {
    if (this.stopping || this.fatal || this.rebuilding || this.pendingRebuild) return;
    if (this.state.joined || this.activeBatches > 0) return;
    const outFor = Date.now() - this.outOfGroupSince;
    if (outFor < this.rejoinDeadlineMs) return;
    this.scheduleRebuild('out_of_group', `out of its group for ${Math.round(outFor / 1000)} s`);
  }

  private scheduleRebuild(reason: RebuildReason, detail: string): void {
    if (this.pendingRebuild || this.rebuilding) return;
    const delay = Math.min(REBUILD_MAX_DELAY_MS, 1000 * 2 ** this.rebuildsSinceJoin);
    this.pendingRebuild = setTimeout(() => {
      this.pendingRebuild = undefined;
      void this.rebuild(reason, detail);
    }, delay);
    this.pendingRebuild.unref();
  }

  /** Replaces the kafkajs consumer: the old one disconnected (bounded), a new one joins the same group. */
  private async rebuild(reason: RebuildReason, detail: string): Promise<void> {
    const handler = this.handler;
    if (this.stopping || this.fatal || !handler) return;
    this.rebuilding = true;
    this.rebuildsSinceJoin++;
    this.metrics.consumerRebuilds.inc({ reason });
    this.logger.warn(
      { consumer: this.options.name, groupId: this.options.groupId, reason, detail },
      'replacing the kafka consumer',
    );
    const old = this.consumer;
    this.consumer = this.createConsumer();
    this.state = { joined: false, crashed: false, cause: detail };
    this.outOfGroupSince = Date.now();
    try {
      await Promise.race([old.disconnect(), sleep(10_000)]).catch(() => undefined);
      if (this.stopping) return;
      await this.launch(this.consumer, handler);
    } catch (error) {
      // the watchdog tries again once the deadline has passed
      this.logger.warn({ consumer: this.options.name, err: error }, 'the new kafka consumer did not start');
    } finally {
      this.rebuilding = false;
    }
  }

  pause(): void {
    this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
  }

  resume(): void {
    this.consumer.resume(this.options.topics.map((topic) => ({ topic })));
  }

  private async handleBatch(payload: EachBatchPayload, handler: MessageHandler): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    if (this.fatal || this.stopping) return;
    this.activeBatches++;
    const progress = new BatchProgress(this.consumer, payload);
    const shouldContinue = () => isRunning() && !isStale() && !this.stopping && !this.fatal;
    const handleOne = async (message: KafkaMessage) => {
      await this.waitForPriority(heartbeat, shouldContinue);
      await this.process(batch.topic, batch.partition, message, handler, heartbeat, shouldContinue);
      progress.done.add(message.offset);
      // a batch slowed by an API quota can outlast the session timeout: keep the membership alive
      // (kafkajs sends at most one heartbeat per heartbeatInterval)
      await heartbeat();
    };

    try {
      const keyConcurrency = this.options.keyConcurrency ?? 1;
      if (keyConcurrency <= 1) {
        for (const message of batch.messages) {
          if (!shouldContinue()) break;
          await handleOne(message);
          await progress.commit(false);
        }
      } else {
        await handleByKey(batch.messages, keyConcurrency, handleOne, shouldContinue);
      }
      await progress.commit(true);
      const last = batch.messages[batch.messages.length - 1];
      if (last && progress.done.has(last.offset)) {
        this.metrics.consumerLag.set(
          { topic: batch.topic, partition: String(batch.partition) },
          Math.max(0, Number(batch.highWatermark) - Number(last.offset) - 1),
        );
      }
    } catch (error) {
      // commit what is done; on any other error kafkajs retries the rest of the batch
      await progress.commit(true).catch(() => undefined);
      if (error instanceof StopRequested) return;
      if (error instanceof FatalError) this.enterFatal(error);
      else throw error;
    } finally {
      this.activeBatches--;
      this.lastBatchEndedAt = Date.now();
    }
  }

  /** One message to its final outcome: retries (with backoff) in place, then done, skip or the DLQ. */
  private async process(
    topic: string,
    partition: number,
    message: KafkaMessage,
    handler: MessageHandler,
    heartbeat: () => Promise<void>,
    shouldContinue: () => boolean,
  ): Promise<void> {
    const startedAt = process.hrtime.bigint();
    const base: Omit<ConsumedMessage, 'attempt'> = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      value: message.value,
      headers: decodeHeaders(message.headers),
      timestamp: message.timestamp,
    };
    for (let attempt = 1; ; attempt++) {
      const context: HandlerContext = { attempt, lastAttempt: attempt > this.retry.attempts };
      let outcome = await outcomeOf(handler, { ...base, attempt }, context);
      if (outcome.kind === 'retry' && context.lastAttempt) outcome = Outcome.retriesExhausted(outcome.error);
      if (outcome.kind === 'retry') {
        await this.backOff(base, attempt, outcome.error, heartbeat, shouldContinue);
        continue;
      }
      if (outcome.kind === 'dead_letter') await this.deadLetter(base, outcome, attempt);
      this.metrics.messagesProcessed.inc({ topic, outcome: processedLabel[outcome.kind] });
      this.observeDuration(topic, startedAt);
      return;
    }
  }

  private async backOff(
    message: Omit<ConsumedMessage, 'attempt'>,
    attempt: number,
    error: RetriableError,
    heartbeat: () => Promise<void>,
    shouldContinue: () => boolean,
  ): Promise<void> {
    this.metrics.retries.inc({ topic: message.topic, reason: error.reason });
    if (!shouldContinue()) throw new StopRequested();
    const delay = this.backoff(attempt, error.retryAfterMs);
    this.logger.warn(
      {
        consumer: this.options.name,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        attempt,
        delayMs: delay,
        reason: error.reason,
        err: error,
      },
      'retriable failure; retrying after backoff',
    );
    await this.sleepWithHeartbeat(delay, heartbeat, shouldContinue);
  }

  /** The one writer of the DLQ: the record as consumed plus the context headers. */
  private async deadLetter(
    message: Omit<ConsumedMessage, 'attempt'>,
    outcome: DeadLetterOutcome,
    attempts: number,
  ): Promise<void> {
    const { errorClass, message: text } =
      outcome.error === undefined
        ? { errorClass: 'DeadLetterOutcome', message: outcome.reason }
        : describeError(outcome.error);
    const target = this.deadLetterTopicOf(message.topic);
    await this.producer.send(target, [
      {
        key: message.key,
        value: message.value ?? Buffer.alloc(0),
        headers: {
          ...message.headers,
          ...deadLetterHeaders({
            topic: message.topic,
            partition: message.partition,
            offset: message.offset,
            errorClass,
            errorMessage: text,
            reason: outcome.reason,
            attempts,
          }),
        },
      },
    ]);
    this.metrics.deadLetters.inc({ topic: message.topic, reason: outcome.reason.split(':')[0] });
    this.logger.warn(
      {
        consumer: this.options.name,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        dlq: target,
        errorClass,
        reason: outcome.reason,
        error: text,
      },
      'message dead-lettered',
    );
  }

  private enterFatal(error: FatalError): void {
    if (this.fatal) return;
    this.fatal = error;
    this.logger.fatal(
      { consumer: this.options.name, reason: error.reason, code: error.code, error: error.message },
      'consumer stopped: fatal error',
    );
    this.pause();
    // stop outside the batch callback (stop waits for running batches)
    setImmediate(() => {
      this.consumer
        .stop()
        .catch((stopError: unknown) => this.logger.warn({ err: stopError }, 'consumer stop failed'));
    });
  }

  private backoff(attempt: number, retryAfterMs?: number): number {
    const jittered = backoffDelay(attempt, { ...this.retry, jitter: 'equal' });
    return Math.max(jittered, retryAfterMs ?? 0);
  }

  private async sleepWithHeartbeat(
    ms: number,
    heartbeat: () => Promise<void>,
    shouldContinue: () => boolean,
  ): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!shouldContinue()) throw new StopRequested();
      await sleep(Math.min(500, until - Date.now()));
      await heartbeat();
    }
  }

  private async waitForPriority(
    heartbeat: () => Promise<void>,
    shouldContinue: () => boolean,
  ): Promise<void> {
    const yieldWhile = this.options.yieldWhile;
    if (!yieldWhile) return;
    let lastHeartbeat = Date.now();
    while (yieldWhile()) {
      if (!shouldContinue()) throw new StopRequested();
      await sleep(50);
      if (Date.now() - lastHeartbeat > 1000) {
        await heartbeat();
        lastHeartbeat = Date.now();
      }
    }
  }

  private observeDuration(topic: string, startedAt: bigint): void {
    this.metrics.processingDuration.observe({ topic }, Number(process.hrtime.bigint() - startedAt) / 1e9);
  }
}
