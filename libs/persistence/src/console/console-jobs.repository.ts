import { type DataSource } from 'typeorm';
import { toDate, type Columns } from '../ledger/ledger-row';

export type ConsoleJobKind = 'redrive' | 'replay' | 'resync' | 'reconcile';
export type ConsoleJobState = 'running' | 'done' | 'failed';

export interface ConsoleJobRow {
  id: string;
  kind: ConsoleJobKind;
  state: ConsoleJobState;
  actor: string;
  request: unknown;
  progress: Record<string, number | string>;
  result: unknown;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

const jobFromColumns = (row: Columns): ConsoleJobRow => ({
  id: row.id as string,
  kind: row.kind as ConsoleJobKind,
  state: row.state as ConsoleJobState,
  actor: row.actor as string,
  request: row.request,
  progress: (row.progress as Record<string, number | string>) ?? {},
  result: row.result ?? null,
  error: (row.error as string | null) ?? null,
  startedAt: toDate(row.started_at)!,
  finishedAt: toDate(row.finished_at),
});

/** The console's long operations (redrive, replay, resync, reconcile): state, progress and result. */
export class ConsoleJobRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(job: {
    id: string;
    kind: ConsoleJobKind;
    actor: string;
    request: unknown;
  }): Promise<ConsoleJobRow> {
    const rows = await this.dataSource.query<Columns[]>(
      `INSERT INTO console_jobs (id, kind, state, actor, request) VALUES ($1, $2, 'running', $3, $4) RETURNING *`,
      [job.id, job.kind, job.actor, JSON.stringify(job.request)],
    );
    return jobFromColumns(rows[0]);
  }

  async progress(id: string, progress: Record<string, number | string>): Promise<void> {
    await this.dataSource.query(
      `UPDATE console_jobs SET progress = $2, updated_at = now() WHERE id = $1 AND state = 'running'`,
      [id, JSON.stringify(progress)],
    );
  }

  async finish(
    id: string,
    outcome: {
      state: 'done' | 'failed';
      progress: Record<string, number | string>;
      result?: unknown;
      error?: string;
    },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE console_jobs SET state = $2, progress = $3, result = $4, error = $5, updated_at = now(), finished_at = now() WHERE id = $1`,
      [
        id,
        outcome.state,
        JSON.stringify(outcome.progress),
        outcome.result === undefined ? null : JSON.stringify(outcome.result),
        outcome.error ?? null,
      ],
    );
  }

  async get(id: string): Promise<ConsoleJobRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = await this.dataSource.query<Columns[]>('SELECT * FROM console_jobs WHERE id = $1', [id]);
    return rows[0] ? jobFromColumns(rows[0]) : null;
  }

  /** Newest first, without the (possibly large) results. */
  async list(kinds: ConsoleJobKind[], limit: number): Promise<ConsoleJobRow[]> {
    const rows = await this.dataSource.query<Columns[]>(
      `SELECT id, kind, state, actor, request, progress, NULL AS result, error, started_at, finished_at
         FROM console_jobs WHERE kind = ANY($1) ORDER BY started_at DESC LIMIT $2`,
      [kinds, limit],
    );
    return rows.map(jobFromColumns);
  }

  /**
   * Jobs whose console stopped while they ran (no progress written for `silentSeconds`, while a
   * running job writes it every few seconds): marked failed, so nobody waits for them.
   */
  async abandonSilent(silentSeconds: number): Promise<number> {
    const result = await this.dataSource.query<[unknown[], number]>(
      `UPDATE console_jobs SET state = 'failed', error = 'the console running this job stopped', finished_at = now()
         WHERE state = 'running' AND updated_at < now() - make_interval(secs => $1)`,
      [silentSeconds],
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }

  /** Records that a redrive job re-sent these dead letters. */
  async markRedriven(
    jobId: string,
    topic: string,
    records: Array<{ partition: number; offset: string }>,
  ): Promise<void> {
    for (let start = 0; start < records.length; start += 1000) {
      const chunk = records.slice(start, start + 1000);
      await this.dataSource.query(
        `INSERT INTO console_redriven (topic, partition, "offset", job_id)
           SELECT $1, p, o::bigint, $2 FROM unnest($3::int[], $4::text[]) AS r(p, o) ON CONFLICT DO NOTHING`,
        [topic, jobId, chunk.map((r) => r.partition), chunk.map((r) => r.offset)],
      );
    }
  }

  /** When each dead letter of a topic was last redriven: `partition:offset` → time. */
  async redrivenOf(topic: string): Promise<Map<string, Date>> {
    const rows = await this.dataSource.query<Columns[]>(
      `SELECT partition, "offset", max(redriven_at) AS at FROM console_redriven WHERE topic = $1 GROUP BY 1, 2`,
      [topic],
    );
    return new Map(rows.map((row) => [`${Number(row.partition)}:${String(row.offset)}`, toDate(row.at)!]));
  }
}
