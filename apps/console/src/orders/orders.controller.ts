import { BadRequestException, Controller, Get, Param, Query, Req } from '@nestjs/common';
import { type LedgerStatus } from '@app/persistence';
import { AuditTrail } from '../audit/audit-trail';
import { type ConsoleRequest } from '../auth/console-request';
import { type OrderDetail, type OrderSummary, type Page } from '../console-api';
import { revealAllowed } from '../http/reveal';
import { isoTimeParam, optionalText, pageParam } from '../http/validation';
import { LEDGER_STATUSES, OrdersService } from './orders.service';

@Controller('api/orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly audit: AuditTrail,
  ) {}

  @Get()
  search(@Query() query: Record<string, unknown>): Promise<Page<OrderSummary>> {
    const status = optionalText(query.status, 'status', 40);
    if (status !== undefined && !LEDGER_STATUSES.includes(status as LedgerStatus))
      throw new BadRequestException(`status must be one of ${LEDGER_STATUSES.join(', ')}`);
    return this.orders.search({
      q: optionalText(query.q, 'q', 100)?.trim(),
      status: status as LedgerStatus | undefined,
      from: isoTimeParam(query.from, 'from'),
      to: isoTimeParam(query.to, 'to'),
      page: pageParam(query.page, 'page', 1),
      pageSize: pageParam(query.pageSize, 'pageSize', 50, 200),
    });
  }

  @Get(':billNo')
  async detail(
    @Param('billNo') billNo: string,
    @Query('reveal') reveal: unknown,
    @Req() request: ConsoleRequest,
  ): Promise<OrderDetail> {
    const revealed = await revealAllowed(request, reveal, this.audit, { billNo });
    return this.orders.detail(billNo, revealed);
  }
}
