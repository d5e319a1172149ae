import { type DataSource } from 'typeorm';
import { ledgerRowFromColumns, toDate, type Columns } from '../ledger/ledger-row';
import { attemptFromColumns, type AttemptView } from '../ledger/ledger.queries';
import { type LedgerRow, type LedgerStatus } from '../ledger/ledger.types';

export interface OrderSearch {
  /** A trade or bill number, matched exactly or as a prefix. */
  q?: string;
  status?: LedgerStatus;
  /** On the WDT modified time. */
  from?: Date;
  to?: Date;
  /** 1-based. */
  page: number;
  pageSize: number;
}

export interface OrderListRow extends LedgerRow {
  updatedAt: Date;
}

export interface AttemptWithExchange extends AttemptView {
  requestBody: string | null;
  responseStatus: number | null;
  responseBody: string | null;
}

export interface RecentErrorRow {
  billNo: string;
  tradeId: string;
  status: string;
  code: string | null;
  message: string | null;
  at: Date;
}

/** `LIKE` pattern of a prefix: %, _ and \ taken literally. */
const prefixPattern = (text: string): string => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The console's reads of the ledger: paged searches served by the indexes of migration
 * OperationsConsole1765100000000 (prefix on trade and bill numbers, status + modified, updated).
 */
export class OrderQueries {
  constructor(private readonly dataSource: DataSource) {}

  async search(search: OrderSearch): Promise<{ rows: OrderListRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (search.q) {
      const pattern = param(prefixPattern(search.q));
      where.push(`(bill_no LIKE ${pattern} OR trade_id LIKE ${pattern})`);
    }
    if (search.status) where.push(`status = ${param(search.status)}`);
    if (search.from) where.push(`source_modified >= ${param(search.from)}`);
    if (search.to) where.push(`source_modified <= ${param(search.to)}`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const countParams = [...params];
    const limit = param(search.pageSize);
    const offset = param((search.page - 1) * search.pageSize);
    const [rows, count] = await Promise.all([
      this.dataSource.query<Columns[]>(
        `SELECT * FROM sales_order_ledger ${clause} ORDER BY source_modified DESC, bill_no LIMIT ${limit} OFFSET ${offset}`,
        params,
      ),
      this.dataSource.query<Columns[]>(`SELECT count(*) AS n FROM sales_order_ledger ${clause}`, countParams),
    ]);
    return {
      total: Number(count[0].n),
      rows: rows.map((row) => ({ ...ledgerRowFromColumns(row), updatedAt: toDate(row.updated_at)! })),
    };
  }

  async order(billNo: string): Promise<OrderListRow | null> {
    const rows = await this.dataSource.query<Columns[]>(
      'SELECT * FROM sales_order_ledger WHERE bill_no = $1',
      [billNo],
    );
    return rows[0] ? { ...ledgerRowFromColumns(rows[0]), updatedAt: toDate(rows[0].updated_at)! } : null;
  }

  /** Every attempt of a bill with what it sent and got, oldest first. */
  async attempts(billNo: string): Promise<AttemptWithExchange[]> {
    const rows = await this.dataSource.query<Columns[]>(
      'SELECT * FROM sales_order_sync_attempts WHERE bill_no = $1 ORDER BY id',
      [billNo],
    );
    return rows.map((raw) => ({
      ...attemptFromColumns(raw),
      requestBody: (raw.request_body as string | null) ?? null,
      responseStatus: raw.response_status === null ? null : Number(raw.response_status),
      responseBody: (raw.response_body as string | null) ?? null,
    }));
  }

  async countsByStatus(): Promise<Record<string, number>> {
    const rows = await this.dataSource.query<Columns[]>(
      'SELECT status, count(*) AS n FROM sales_order_ledger GROUP BY status',
    );
    return Object.fromEntries(rows.map((row) => [row.status as string, Number(row.n)]));
  }

  /** Rows last changed in the last `seconds`, by status. */
  async changedSince(seconds: number): Promise<Record<string, number>> {
    const rows = await this.dataSource.query<Columns[]>(
      `SELECT status, count(*) AS n FROM sales_order_ledger
         WHERE updated_at >= now() - make_interval(secs => $1) GROUP BY status`,
      [seconds],
    );
    return Object.fromEntries(rows.map((row) => [row.status as string, Number(row.n)]));
  }

  /** The rows whose last call failed, most recent first. */
  async recentErrors(limit: number): Promise<RecentErrorRow[]> {
    const rows = await this.dataSource.query<Columns[]>(
      `SELECT bill_no, trade_id, status, last_error_code, last_error_message, updated_at FROM sales_order_ledger
         WHERE last_error_code IS NOT NULL ORDER BY updated_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      billNo: row.bill_no as string,
      tradeId: row.trade_id as string,
      status: row.status as string,
      code: (row.last_error_code as string | null) ?? null,
      message: (row.last_error_message as string | null) ?? null,
      at: toDate(row.updated_at)!,
    }));
  }

  /** The shared Xingchen budgets (docs/quota.md) as stored. */
  async callBudgets(): Promise<Columns[]> {
    return this.dataSource.query<Columns[]>('SELECT * FROM xingchen_call_budget ORDER BY 1');
  }
}
