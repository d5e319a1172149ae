import { timingSafeEqual, randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  Headers as RequestHeaders,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  UnauthorizedException,
  BadRequestException,
} from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { BatchingProducer, KAFKA } from '@app/kafka';
import { LOGGER, type Logger } from '@app/observability';
import {
  ReplayRequestError,
  ReplayService,
  ReplaySources,
  replayTopics,
  validateRequest,
  type ReplayProgress,
  type ReplayRequest,
  type ReplaySource,
} from '@app/replay';
import { REPLAY_ADMIN_TOKEN, TRANSFORMER_TOPICS, type TransformerTopics } from './transformer.tokens';

interface ReplayBody {
  source?: unknown;
  from?: unknown;
  to?: unknown;
  tradeNos?: unknown;
  reason?: unknown;
}

const MAX_JOBS_KEPT = 100;

/**
 * POST /admin/replay (bearer token = REPLAY_ADMIN_TOKEN; without a configured token there is no replay):
 * re-sends raw trades (a broker-time range and/or trade numbers) through the low-priority replay topic,
 * or redrives a DLQ. GET /admin/replay/:id shows its progress and final count.
 */
@Controller('admin/replay')
export class ReplayAdminController {
  private readonly replay: ReplayService;
  private readonly jobs = new Map<string, ReplayProgress>();

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    producer: BatchingProducer,
    @Inject(TRANSFORMER_TOPICS) topics: TransformerTopics,
    @Inject(REPLAY_ADMIN_TOKEN) private readonly token: string | undefined,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.replay = new ReplayService(kafka, producer, replayTopics(topics));
  }

  @Post()
  @HttpCode(202)
  start(
    @RequestHeaders('authorization') authorization: string | undefined,
    @Body() body: ReplayBody,
  ): ReplayProgress {
    this.authorize(authorization);
    const request = parseBody(body);
    const id = randomUUID();
    const snapshot: ReplayProgress = {
      id,
      request,
      state: 'running',
      scanned: 0,
      replayed: 0,
      target: '',
      startedAt: new Date().toISOString(),
    };
    this.remember(snapshot);
    this.logger.info(
      {
        replayId: id,
        source: request.source,
        from: request.from,
        to: request.to,
        trades: request.tradeNos?.length,
      },
      'replay started',
    );
    void this.replay
      .run(request, (progress) => this.remember({ ...progress }), id)
      .then((final) =>
        this.logger.info(
          {
            replayId: id,
            state: final.state,
            scanned: final.scanned,
            replayed: final.replayed,
            error: final.error,
          },
          'replay finished',
        ),
      );
    return snapshot;
  }

  @Get(':id')
  status(
    @RequestHeaders('authorization') authorization: string | undefined,
    @Param('id') id: string,
  ): ReplayProgress {
    this.authorize(authorization);
    const job = this.jobs.get(id);
    if (!job) throw new NotFoundException(`no replay ${id}`);
    return job;
  }

  private remember(progress: ReplayProgress): void {
    this.jobs.set(progress.id, progress);
    while (this.jobs.size > MAX_JOBS_KEPT) this.jobs.delete(this.jobs.keys().next().value as string);
  }

  private authorize(authorization: string | undefined): void {
    if (!this.token) throw new ForbiddenException('replay is disabled: set REPLAY_ADMIN_TOKEN to enable it');
    const presented = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
    const expected = Buffer.from(this.token);
    const given = Buffer.from(presented);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UnauthorizedException('a valid bearer token is required');
    }
  }
}

function parseBody(body: ReplayBody): ReplayRequest {
  const problems: string[] = [];
  const source = (body.source ?? 'raw') as ReplaySource;
  if (!ReplaySources.includes(source)) problems.push(`source must be one of ${ReplaySources.join(', ')}`);
  const time = (name: 'from' | 'to'): Date | undefined => {
    const value = body[name];
    if (value === undefined || value === null) return undefined;
    const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
    if (typeof value !== 'string' || !/([+-]\d{2}:\d{2}|Z)$/.test(value) || Number.isNaN(date.getTime())) {
      problems.push(`${name} must be an ISO-8601 time with an offset, e.g. 2024-03-01T00:00:00+08:00`);
    }
    return date;
  };
  const from = time('from');
  const to = time('to');
  let tradeNos: string[] | undefined;
  if (body.tradeNos !== undefined) {
    if (!Array.isArray(body.tradeNos) || !body.tradeNos.every((n) => typeof n === 'string' && n.length > 0)) {
      problems.push('tradeNos must be a list of trade numbers');
    } else tradeNos = body.tradeNos as string[];
  }
  if (body.reason !== undefined && typeof body.reason !== 'string') problems.push('reason must be a string');
  if (problems.length) throw new BadRequestException(problems);
  const request: ReplayRequest = { source, from, to, tradeNos, reason: body.reason as string | undefined };
  try {
    validateRequest(request);
  } catch (error) {
    if (error instanceof ReplayRequestError) throw new BadRequestException([error.message]);
    throw error;
  }
  return request;
}
