import { type DataSource } from 'typeorm';
import { toDate, type Columns } from '../ledger/ledger-row';

export type ConsoleRole = 'viewer' | 'operator';

export interface ConsoleSession {
  username: string;
  role: ConsoleRole;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * The console's sessions. Only the sha256 of a session token is stored (a leaked table opens no
 * session); a session is renewed by use up to its lifetime from the last request.
 */
export class ConsoleSessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(tokenHash: string, session: ConsoleSession): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO console_sessions (token_hash, username, role, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [tokenHash, session.username, session.role, session.csrfToken, session.expiresAt],
    );
  }

  /** The live session of this token hash, its expiry moved to `renewedUntil`; null when unknown or expired. */
  async touch(tokenHash: string, renewedUntil: Date): Promise<ConsoleSession | null> {
    const rows = await this.dataSource.query<Columns[]>(
      `UPDATE console_sessions SET expires_at = $2
         WHERE token_hash = $1 AND expires_at > now()
         RETURNING username, role, csrf_token, expires_at`,
      [tokenHash, renewedUntil],
    );
    // TypeORM answers an UPDATE … RETURNING as [rows, affected]
    const row = (Array.isArray(rows[0]) ? (rows[0] as Columns[])[0] : rows[0]) as Columns | undefined;
    if (!row) return null;
    return {
      username: row.username as string,
      role: row.role as ConsoleRole,
      csrfToken: row.csrf_token as string,
      expiresAt: toDate(row.expires_at)!,
    };
  }

  async delete(tokenHash: string): Promise<void> {
    await this.dataSource.query('DELETE FROM console_sessions WHERE token_hash = $1', [tokenHash]);
  }

  /** Drops expired sessions; returns how many. */
  async purgeExpired(): Promise<number> {
    const result = await this.dataSource.query<[unknown[], number]>(
      'DELETE FROM console_sessions WHERE expires_at <= now()',
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}
