import { type DataSource } from 'typeorm';
import { toDate, type Columns } from '../ledger/ledger-row';

export type AuditResult = 'ok' | 'refused' | 'failed';

export interface AuditRecord {
  actor: string;
  role: string;
  /** e.g. login, logout, redrive, replay, resync, reconcile, reveal, mapping.check */
  action: string;
  target: Record<string, unknown>;
  result: AuditResult;
  detail?: string | null;
  /** The client address. */
  client?: string | null;
}

export interface AuditEntryRow extends Required<AuditRecord> {
  id: string;
  at: Date;
}

/** The console's audit trail: rows are only ever added (a trigger refuses UPDATE, DELETE and TRUNCATE). */
export class ConsoleAuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  async append(record: AuditRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO console_audit (actor, role, action, target, result, detail, client) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        record.actor,
        record.role,
        record.action,
        JSON.stringify(record.target),
        record.result,
        record.detail ?? null,
        record.client ?? null,
      ],
    );
  }

  /** Newest first. */
  async page(page: number, pageSize: number): Promise<{ rows: AuditEntryRow[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.dataSource.query<Columns[]>('SELECT * FROM console_audit ORDER BY id DESC LIMIT $1 OFFSET $2', [
        pageSize,
        (page - 1) * pageSize,
      ]),
      this.dataSource.query<Columns[]>('SELECT count(*) AS n FROM console_audit'),
    ]);
    return {
      total: Number(count[0].n),
      rows: rows.map((row) => ({
        id: String(row.id),
        at: toDate(row.at)!,
        actor: row.actor as string,
        role: row.role as string,
        action: row.action as string,
        target: row.target as Record<string, unknown>,
        result: row.result as AuditResult,
        detail: (row.detail as string | null) ?? null,
        client: (row.client as string | null) ?? null,
      })),
    };
  }
}
