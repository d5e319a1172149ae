import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { type Kafka } from 'kafkajs';
import { type Logger } from 'pino';
import { DataSource } from 'typeorm';
import { KAFKA, KafkaModule, kafkaConnectionFromEnv } from '@app/kafka';
import { type MappingRules } from '@app/mapping';
import { LOGGER, METRICS, serviceObservability, type Metrics } from '@app/observability';
import {
  ConsoleAuditRepository,
  ConsoleJobRepository,
  ConsoleSessionRepository,
  OrderQueries,
  PersistenceModule,
  PostgresCallBudgetStore,
  persistenceOptionsFromEnv,
} from '@app/persistence';
import { WdtClient, wdtClientOptionsFromEnv } from '@app/wdt-client';
import { sharedQuotaFromEnv, XingchenClient, xingchenClientConfigFromEnv } from '@app/xingchen-client';
import { AuditController } from './audit/audit.controller';
import { AuditTrail } from './audit/audit-trail';
import { ConsoleGuard } from './auth/console.guard';
import { ConsoleUsers, parseConsoleUsers } from './auth/console-users';
import { SessionController } from './auth/session.controller';
import { SessionService } from './auth/session.service';
import {
  CONSOLE_CONFIG,
  CONSOLE_KAFKA,
  CONSOLE_RULES,
  CONSOLE_WDT,
  CONSOLE_XINGCHEN,
  RESYNC_RUNNER,
  type ConsoleConfig,
} from './console.tokens';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { JobRunner } from './jobs/job-runner';
import { JobsController } from './jobs/jobs.controller';
import { OperationsService } from './jobs/operations.service';
import { type ResyncRunner } from './jobs/resync-runner';
import { MappingController } from './mapping/mapping.controller';
import { MappingPreviewService } from './mapping/mapping-preview.service';
import { RecentTrades } from './mapping/recent-trades';
import { OrdersController } from './orders/orders.controller';
import { OrdersService } from './orders/orders.service';
import { OverviewController } from './overview/overview.controller';
import { OverviewService } from './overview/overview.service';

/** Closes the Xingchen client (its sockets and quota pool) at shutdown. */
class ClientsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CONSOLE_XINGCHEN) private readonly xingchen: XingchenClient) {}
  onApplicationShutdown(): void {
    this.xingchen.close();
  }
}

const repository = <T>(type: new (dataSource: DataSource) => T) => ({
  provide: type,
  inject: [DataSource],
  useFactory: (dataSource: DataSource) => new type(dataSource),
});

/** The console: its API's controllers, the guard on every /api route, the clients and repositories. */
@Module({})
export class ConsoleModule {
  static forRoot(config: ConsoleConfig, rules: MappingRules, resync: ResyncRunner): DynamicModule {
    return {
      module: ConsoleModule,
      imports: [
        serviceObservability('console', config),
        PersistenceModule.forRoot(persistenceOptionsFromEnv(config, 'erpsync-console')),
        KafkaModule.forRoot({ connection: kafkaConnectionFromEnv(config) }),
      ],
      controllers: [
        SessionController,
        OverviewController,
        OrdersController,
        DeadLettersController,
        JobsController,
        MappingController,
        AuditController,
      ],
      providers: [
        { provide: CONSOLE_CONFIG, useValue: config },
        { provide: CONSOLE_RULES, useValue: rules },
        { provide: RESYNC_RUNNER, useValue: resync },
        { provide: CONSOLE_KAFKA, inject: [KAFKA], useFactory: (kafka: Kafka) => kafka },
        { provide: ConsoleUsers, useValue: new ConsoleUsers(parseConsoleUsers(config.CONSOLE_USERS)) },
        {
          provide: CONSOLE_WDT,
          inject: [METRICS],
          useFactory: (metrics: Metrics) => new WdtClient(wdtClientOptionsFromEnv(config), metrics),
        },
        {
          provide: CONSOLE_XINGCHEN,
          inject: [METRICS, LOGGER, DataSource],
          useFactory: (metrics: Metrics, logger: Logger, dataSource: DataSource) =>
            // the console's look-ups spend the account set's shared budget like the loader's (docs/quota.md)
            new XingchenClient(xingchenClientConfigFromEnv(config), metrics, {
              logger: logger.child({ component: 'xingchen-client' }),
              sharedQuota: sharedQuotaFromEnv(config, new PostgresCallBudgetStore(dataSource)),
            }),
        },
        ClientsLifecycle,
        repository(ConsoleSessionRepository),
        repository(ConsoleAuditRepository),
        repository(ConsoleJobRepository),
        repository(OrderQueries),
        SessionService,
        AuditTrail,
        { provide: APP_GUARD, useClass: ConsoleGuard },
        JobRunner,
        DeadLettersService,
        OperationsService,
        OverviewService,
        OrdersService,
        RecentTrades,
        MappingPreviewService,
      ],
    };
  }
}
