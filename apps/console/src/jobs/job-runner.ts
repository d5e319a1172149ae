import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Logger } from 'pino';
import { LOGGER } from '@app/observability';
import { ConsoleJobRepository, type ConsoleJobKind, type ConsoleJobRow } from '@app/persistence';
import { type Job } from '../console-api';

export type Progress = Record<string, number | string>;

/** What a job's work reports as it goes, and what it ends with. */
export interface JobWork {
  (
    report: (progress: Progress) => void,
    signal: AbortSignal,
    jobId: string,
  ): Promise<{ progress: Progress; result: unknown }>;
}

/** A running job writes its progress at least this often, so a silent one is known to be dead. */
const HEARTBEAT_MS = 5000;
/** A running job silent this long belongs to a console that stopped. */
const SILENT_SECONDS = 60;

export const jobView = (row: ConsoleJobRow): Job => ({
  id: row.id,
  kind: row.kind,
  state: row.state,
  actor: row.actor,
  request: row.request,
  progress: row.progress,
  result: row.result,
  error: row.error,
  startedAt: row.startedAt.toISOString(),
  finishedAt: row.finishedAt?.toISOString() ?? null,
});

/**
 * Runs the console's long operations in the background: the job row is written first (the caller
 * answers it at once), progress is written as it comes (at most once a second, and as a heartbeat),
 * the outcome when it ends. At shutdown running jobs are aborted and recorded as failed.
 */
@Injectable()
export class JobRunner implements OnModuleInit, OnApplicationShutdown {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();

  constructor(
    private readonly jobs: ConsoleJobRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const abandoned = await this.jobs.abandonSilent(SILENT_SECONDS);
    if (abandoned > 0) this.logger.warn({ abandoned }, 'jobs of a stopped console marked failed');
  }

  async start(kind: ConsoleJobKind, actor: string, request: unknown, work: JobWork): Promise<Job> {
    const id = randomUUID();
    const row = await this.jobs.create({ id, kind, actor, request });
    const abort = new AbortController();
    const done = this.run(id, kind, work, abort.signal).finally(() => this.running.delete(id));
    this.running.set(id, { abort, done });
    return jobView(row);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const { abort } of this.running.values()) abort.abort(new Error('the console is stopping'));
    await Promise.allSettled([...this.running.values()].map((job) => job.done));
  }

  private async run(id: string, kind: ConsoleJobKind, work: JobWork, signal: AbortSignal): Promise<void> {
    let latest: Progress = {};
    let written = 0;
    let writing: Promise<void> = Promise.resolve();
    const write = () => {
      written = Date.now();
      const snapshot = { ...latest };
      writing = writing
        .then(() => this.jobs.progress(id, snapshot))
        .catch((error: unknown) => {
          this.logger.warn({ job: id, err: error }, 'job progress not written');
        });
    };
    const heartbeat = setInterval(write, HEARTBEAT_MS);
    heartbeat.unref();
    try {
      const { progress, result } = await work(
        (progress) => {
          latest = progress;
          if (Date.now() - written >= 1000) write();
        },
        signal,
        id,
      );
      clearInterval(heartbeat);
      await writing;
      await this.jobs.finish(id, { state: 'done', progress, result });
      this.logger.info({ job: id, kind, progress }, 'console job done');
    } catch (error) {
      clearInterval(heartbeat);
      await writing;
      const message = error instanceof Error ? error.message : String(error);
      await this.jobs
        .finish(id, { state: 'failed', progress: latest, error: message })
        .catch((failure: unknown) => this.logger.error({ job: id, err: failure }, 'job outcome not written'));
      this.logger.warn({ job: id, kind, err: error }, 'console job failed');
    }
  }
}
