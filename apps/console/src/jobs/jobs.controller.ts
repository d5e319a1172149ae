import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { type Response } from 'express';
import { ConsoleJobRepository, type ConsoleJobKind } from '@app/persistence';
import { type ReconciliationReport } from '@app/reconciliation';
import { AuditTrail } from '../audit/audit-trail';
import { type ConsoleRequest } from '../auth/console-request';
import { Action, OperatorOnly } from '../auth/roles';
import { type Job, type ReconcileRequest, type ReplayRequest, type ResyncRequest } from '../console-api';
import { jobView } from './job-runner';
import { OperationsService } from './operations.service';
import { reportCsv } from './report-csv';

const KINDS: ConsoleJobKind[] = ['redrive', 'replay', 'resync', 'reconcile'];

@Controller('api')
export class JobsController {
  constructor(
    private readonly jobs: ConsoleJobRepository,
    private readonly operations: OperationsService,
    private readonly audit: AuditTrail,
  ) {}

  @Get('jobs')
  async list(@Query('kind') kind: unknown): Promise<Job[]> {
    const kinds = typeof kind === 'string' && kind !== '' ? kind.split(',') : KINDS;
    const unknown = kinds.filter((k) => !KINDS.includes(k as ConsoleJobKind));
    if (unknown.length > 0) throw new BadRequestException(`kind must be among ${KINDS.join(', ')}`);
    return (await this.jobs.list(kinds as ConsoleJobKind[], 50)).map(jobView);
  }

  @Get('jobs/:id')
  async get(@Param('id') id: string): Promise<Job> {
    const job = await this.jobs.get(id);
    if (!job) throw new NotFoundException(`no job ${id}`);
    return jobView(job);
  }

  @OperatorOnly()
  @Action('replay')
  @Post('replays')
  @HttpCode(202)
  replay(@Body() body: ReplayRequest | undefined, @Req() request: ConsoleRequest): Promise<Job> {
    return this.audit.around(
      request,
      'replay',
      { ...(body ?? {}) },
      () => this.operations.replayRaw(request.signedIn!.user, body),
      (job) => `job ${job.id}`,
    );
  }

  @OperatorOnly()
  @Action('resync')
  @Post('resyncs')
  @HttpCode(202)
  resync(@Body() body: ResyncRequest | undefined, @Req() request: ConsoleRequest): Promise<Job> {
    return this.audit.around(
      request,
      'resync',
      { ...(body ?? {}) },
      () => this.operations.resync(request.signedIn!.user, body),
      (job) => `job ${job.id}`,
    );
  }

  /** Any signed-in user: a reconciliation only reads. */
  @Action('reconcile')
  @Post('reconciliations')
  @HttpCode(202)
  reconcile(@Body() body: ReconcileRequest | undefined, @Req() request: ConsoleRequest): Promise<Job> {
    return this.audit.around(
      request,
      'reconcile',
      { ...(body ?? {}) },
      () => this.operations.reconcile(request.signedIn!.user, body),
      (job) => `job ${job.id}`,
    );
  }

  @Get('reconciliations/:id/report.json')
  async reportJson(@Param('id') id: string, @Res() response: Response): Promise<void> {
    const report = await this.report(id);
    response
      .status(200)
      .type('application/json')
      .attachment(`reconciliation-${id}.json`)
      .send(`${JSON.stringify(report, null, 2)}\n`);
  }

  @Get('reconciliations/:id/report.csv')
  async reportCsv(@Param('id') id: string, @Res() response: Response): Promise<void> {
    const report = await this.report(id);
    response
      .status(200)
      .type('text/csv; charset=utf-8')
      .attachment(`reconciliation-${id}.csv`)
      .send(`\uFEFF${reportCsv(report)}`);
  }

  private async report(id: string): Promise<ReconciliationReport> {
    const job = await this.jobs.get(id);
    if (!job || job.kind !== 'reconcile') throw new NotFoundException(`no reconciliation ${id}`);
    if (job.state !== 'done') throw new NotFoundException(`reconciliation ${id} is ${job.state}: no report`);
    return job.result as ReconciliationReport;
  }
}
