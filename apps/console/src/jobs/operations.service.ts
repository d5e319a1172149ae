import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { parseWdtTime } from '@app/contracts';
import { BatchingProducer } from '@app/kafka';
import { type MappingRules } from '@app/mapping';
import { reconcileThroughApis } from '@app/operations';
import { ConsoleJobRepository } from '@app/persistence';
import {
  ReplayRequestError,
  ReplayService,
  replayTopics,
  validateRequest,
  type ReplayRequest as ReplayRun,
} from '@app/replay';
import { type WdtClient } from '@app/wdt-client';
import { type XingchenClient } from '@app/xingchen-client';
import {
  type DeadLetterSource,
  type Job,
  type ReconcileRequest,
  type ReplayRequest,
  type ResyncRequest,
} from '../console-api';
import {
  CONSOLE_CONFIG,
  CONSOLE_KAFKA,
  CONSOLE_RULES,
  CONSOLE_WDT,
  CONSOLE_XINGCHEN,
  RESYNC_RUNNER,
  type ConsoleConfig,
} from '../console.tokens';
import { DeadLettersService } from '../dead-letters/dead-letters.service';
import { isoTimeParam } from '../http/validation';
import { JobRunner } from './job-runner';
import { type ResyncRunner } from './resync-runner';

/** A WDT period in Beijing time, both ends checked (400 naming the field). */
export function beijingRange(request: Partial<ResyncRequest> | undefined): {
  from: string;
  to: string;
  fromMs: number;
  toMs: number;
} {
  const at = (name: 'from' | 'to') => {
    const value = request?.[name];
    if (typeof value !== 'string')
      throw new BadRequestException(`${name} is required (yyyy-MM-dd HH:mm:ss, Beijing time)`);
    try {
      return { text: value, ms: parseWdtTime(value) };
    } catch (error) {
      throw new BadRequestException(`${name}: ${(error as Error).message}`);
    }
  };
  const from = at('from');
  const to = at('to');
  if (to.ms < from.ms) throw new BadRequestException('to must not be earlier than from');
  return { from: from.text, to: to.text, fromMs: from.ms, toMs: to.ms };
}

/** The console's actions that re-send or re-read orders, each a job (see JobRunner). */
@Injectable()
export class OperationsService {
  private readonly replay: ReplayService;

  constructor(
    private readonly runner: JobRunner,
    private readonly deadLetters: DeadLettersService,
    private readonly jobs: ConsoleJobRepository,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    @Inject(CONSOLE_KAFKA) private readonly kafka: Kafka,
    producer: BatchingProducer,
    @Inject(CONSOLE_WDT) private readonly wdt: WdtClient,
    @Inject(CONSOLE_XINGCHEN) private readonly xingchen: XingchenClient,
    @Inject(CONSOLE_RULES) private readonly rules: MappingRules,
    @Inject(RESYNC_RUNNER) private readonly resyncs: ResyncRunner,
  ) {
    this.replay = new ReplayService(
      kafka,
      producer,
      replayTopics({
        raw: config.RAW_TOPIC,
        replay: config.RAW_REPLAY_TOPIC,
        normalized: config.NORMALIZED_TOPIC,
      }),
    );
  }

  /** Re-sends the chosen dead letters to where they are processed again (raw/replay DLQ → replay topic, normalized DLQ → normalized). */
  async redrive(
    actor: string,
    source: DeadLetterSource,
    records: string[],
    selection: unknown,
  ): Promise<Job> {
    const topic = this.deadLetters.queue(source).index.topic;
    return this.runner.start(
      'redrive',
      actor,
      { source, selection, records: records.length },
      async (report, _signal, jobId) => {
        const done = await this.replayJob({ source, records }, report);
        const marked = records.map((record) => {
          const [partition, offset] = record.split(':');
          return { partition: Number(partition), offset };
        });
        await this.jobs.markRedriven(jobId, topic, marked);
        return done;
      },
    );
  }

  async replayRaw(actor: string, request: Partial<ReplayRequest> | undefined): Promise<Job> {
    const tradeNos = Array.isArray(request?.tradeNos)
      ? request.tradeNos.map((t) => String(t).trim()).filter(Boolean)
      : undefined;
    const run: ReplayRun = {
      source: 'raw',
      from: isoTimeParam(request?.from, 'from'),
      to: isoTimeParam(request?.to, 'to'),
      tradeNos: tradeNos && tradeNos.length > 0 ? tradeNos : undefined,
    };
    if (!run.from && !run.to && !run.tradeNos)
      throw new BadRequestException('give a broker-time range (from/to) or trade numbers');
    this.validate(run);
    return this.runner.start('replay', actor, request, (report) => this.replayJob(run, report));
  }

  async resync(actor: string, request: Partial<ResyncRequest> | undefined): Promise<Job> {
    const range = beijingRange(request);
    return this.runner.start('resync', actor, { from: range.from, to: range.to }, async (report, signal) => {
      const started = Date.now();
      const ticker = setInterval(
        () => report({ phase: 'reading WDT', seconds: Math.round((Date.now() - started) / 1000) }),
        1000,
      );
      try {
        const result = await this.resyncs.run(range, signal);
        const progress: Record<string, number | string> = { phase: 'done' };
        for (const [key, value] of Object.entries(result))
          if (typeof value === 'number' || typeof value === 'string') progress[key] = value;
        return { progress, result };
      } finally {
        clearInterval(ticker);
      }
    });
  }

  async reconcile(actor: string, request: Partial<ReconcileRequest> | undefined): Promise<Job> {
    const range = beijingRange(request);
    return this.runner.start('reconcile', actor, { from: range.from, to: range.to }, async (report) => {
      report({ phase: 'reading WDT, the ledger, Xingchen and the dead-letter queues' });
      const result = await reconcileThroughApis({
        wdt: this.wdt,
        xingchen: this.xingchen,
        databaseUrl: this.config.DATABASE_URL,
        rules: this.rules,
        fromMs: range.fromMs,
        toMs: range.toMs,
        kafka: this.kafka,
        topics: {
          raw: this.config.RAW_TOPIC,
          replay: this.config.RAW_REPLAY_TOPIC,
          normalized: this.config.NORMALIZED_TOPIC,
        },
      });
      const { counts } = result;
      return {
        progress: {
          phase: 'done',
          clean: String(result.clean),
          wdtTrades: counts.wdtTrades,
          inSync: counts.inSync,
          missing: counts.missing,
          duplicated: counts.duplicated,
          stale: counts.stale,
          mismatched: counts.mismatched,
          deadLettered: counts.deadLettered,
        },
        result,
      };
    });
  }

  /** The replay service's own checks, made before a job is created for nothing. */
  private validate(run: ReplayRun): void {
    try {
      validateRequest(run);
    } catch (error) {
      if (error instanceof ReplayRequestError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  private async replayJob(run: ReplayRun, report: (progress: Record<string, number | string>) => void) {
    const outcome = await this.replay.run(run, (progress) =>
      report({ scanned: progress.scanned, replayed: progress.replayed, target: progress.target }),
    );
    const progress = { scanned: outcome.scanned, replayed: outcome.replayed, target: outcome.target };
    if (outcome.state !== 'done') throw new Error(outcome.error ?? `replay ${outcome.state}`);
    return { progress, result: { ...progress, replayId: outcome.id } };
  }
}
