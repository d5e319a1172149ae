import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail';
import { type ConsoleRequest } from '../auth/console-request';
import { Action, OperatorOnly } from '../auth/roles';
import {
  type DeadLetter,
  type DeadLetterQueues,
  type DeadLetterRecord,
  type DeadLetterSource,
  type Job,
  type Page,
  type RedriveRequest,
} from '../console-api';
import { OperationsService } from '../jobs/operations.service';
import { revealAllowed } from '../http/reveal';
import { optionalText, pageParam } from '../http/validation';
import { DeadLettersService } from './dead-letters.service';

@Controller('api/dead-letters')
export class DeadLettersController {
  constructor(
    private readonly deadLetters: DeadLettersService,
    private readonly operations: OperationsService,
    private readonly audit: AuditTrail,
  ) {}

  @Get()
  async queues(): Promise<DeadLetterQueues> {
    return { queues: await this.deadLetters.summary() };
  }

  @Get(':source')
  list(@Param('source') source: string, @Query() query: Record<string, unknown>): Promise<Page<DeadLetter>> {
    return this.deadLetters.list(
      source,
      {
        reason: optionalText(query.reason, 'reason', 200),
        errorClass: optionalText(query.errorClass, 'errorClass', 200),
      },
      pageParam(query.page, 'page', 1),
      pageParam(query.pageSize, 'pageSize', 50, 500),
    );
  }

  @Get(':source/:partition/:offset')
  async record(
    @Param('source') source: string,
    @Param('partition') partition: string,
    @Param('offset') offset: string,
    @Query('reveal') reveal: unknown,
    @Req() request: ConsoleRequest,
  ): Promise<DeadLetterRecord> {
    if (!/^\d+$/.test(partition) || !/^\d+$/.test(offset))
      throw new BadRequestException('partition and offset are numbers');
    const revealed = await revealAllowed(request, reveal, this.audit, {
      source,
      partition: Number(partition),
      offset,
    });
    return this.deadLetters.record(source, Number(partition), offset, revealed);
  }

  @OperatorOnly()
  @Action('redrive')
  @Post(':source/redrive')
  @HttpCode(202)
  async redrive(
    @Param('source') source: string,
    @Body() body: RedriveRequest | undefined,
    @Req() request: ConsoleRequest,
  ): Promise<Job> {
    const target = {
      source,
      selection: body?.kind ?? null,
      ...(body?.kind === 'reason' ? { reason: body.reason } : {}),
    };
    return this.audit.around(
      request,
      'redrive',
      target,
      async () => {
        const records = await this.deadLetters.selection(source, body);
        return this.operations.redrive(request.signedIn!.user, source as DeadLetterSource, records, body);
      },
      (job) => `job ${job.id}`,
    );
  }
}
