import {
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Module,
  Res,
  type DynamicModule,
  type LoggerService,
} from '@nestjs/common';
import type { Response } from 'express';
import { type Logger } from 'pino';
import { HealthRegistry } from './health';
import { createLogger } from './logger';
import { createServiceMetrics, type Metrics } from './metrics';

export const METRICS = Symbol('METRICS');
export const LOGGER = Symbol('LOGGER');

export interface ObservabilityOptions {
  service: string;
  version: string;
  commit: string;
  logLevel: string;
}

@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthRegistry) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() response: Response): Promise<void> {
    const { ok, checks } = await this.health.readiness();
    response.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks });
  }
}

@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** Nest's own log lines through pino, as JSON with a fixed message and a context object. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}

/** Metrics, logging and health for one service: /metrics, /health/live, /health/ready. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    const metrics = createServiceMetrics(options.service, options.version, options.commit);
    const logger = createLogger(options.service, options.logLevel);
    return {
      module: ObservabilityModule,
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: METRICS, useValue: metrics },
        { provide: LOGGER, useValue: logger },
        HealthRegistry,
      ],
      exports: [METRICS, LOGGER, HealthRegistry],
    };
  }
}
