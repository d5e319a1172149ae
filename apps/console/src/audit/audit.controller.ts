import { Controller, Get, Query } from '@nestjs/common';
import { ConsoleAuditRepository } from '@app/persistence';
import { type AuditEntry, type Page } from '../console-api';
import { pageParam } from '../http/validation';

@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: ConsoleAuditRepository) {}

  @Get()
  async page(@Query() query: Record<string, unknown>): Promise<Page<AuditEntry>> {
    const page = pageParam(query.page, 'page', 1);
    const pageSize = pageParam(query.pageSize, 'pageSize', 50, 500);
    const { rows, total } = await this.audit.page(page, pageSize);
    return {
      rows: rows.map((row) => ({
        id: row.id,
        at: row.at.toISOString(),
        actor: row.actor,
        role: row.role,
        action: row.action,
        target: row.target,
        result: row.result,
        detail: row.detail,
      })),
      total,
      page,
      pageSize,
    };
  }
}
