import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { deadLetterTopic } from '@app/contracts';
import { KafkaModule } from '@app/kafka';
import { LOGGER, METRICS, serviceObservability, type Logger, type Metrics } from '@app/observability';
import {
  PersistenceModule,
  persistenceOptionsFromEnv,
  PostgresCallBudgetStore,
  PostgresLedgerStore,
  PostgresMasterDataStore,
} from '@app/persistence';
import { sharedQuotaFromEnv, XingchenClient, xingchenClientConfigFromEnv } from '@app/xingchen-client';
import {
  LEDGER_STORE,
  LOADER_CONFIG,
  MASTER_DATA,
  XINGCHEN_CLIENT,
  type LoaderConfig,
} from './loader.tokens';
import { MasterDataCache } from './master-data.cache';
import { NormalizedOrderHandler } from './normalized-order.handler';
import { OrderLoader } from './order-loader.service';

class XingchenClientLifecycle implements OnApplicationShutdown {
  constructor(@Inject(XINGCHEN_CLIENT) private readonly client: XingchenClient) {}
  onApplicationShutdown(): void {
    this.client.close();
  }
}

/** The loader: Kafka in, Xingchen out, the ledger and the master-data cache in PostgreSQL. */
@Module({})
export class LoaderModule {
  static forRoot(config: LoaderConfig): DynamicModule {
    return {
      module: LoaderModule,
      imports: [
        serviceObservability('loader', config),
        PersistenceModule.forRoot(persistenceOptionsFromEnv(config, 'erpsync-loader')),
        KafkaModule.fromEnv(config, [config.NORMALIZED_TOPIC, deadLetterTopic(config.NORMALIZED_TOPIC)]),
      ],
      providers: [
        { provide: LOADER_CONFIG, useValue: config },
        {
          provide: XINGCHEN_CLIENT,
          inject: [METRICS, LOGGER, DataSource],
          useFactory: (metrics: Metrics, logger: Logger, dataSource: DataSource) => {
            // every replica (and the CLI) of the account set draws from one budget (docs/quota.md)
            const client = new XingchenClient(xingchenClientConfigFromEnv(config), metrics, {
              logger: logger.child({ component: 'xingchen-client' }),
              sharedQuota: sharedQuotaFromEnv(config, new PostgresCallBudgetStore(dataSource)),
            });
            metrics.xingchenApiInfo.labels(client.family).set(1);
            return client;
          },
        },
        XingchenClientLifecycle,
        {
          provide: LEDGER_STORE,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new PostgresLedgerStore(dataSource),
        },
        {
          provide: MASTER_DATA,
          inject: [XINGCHEN_CLIENT, DataSource],
          useFactory: (client: XingchenClient, dataSource: DataSource) =>
            new MasterDataCache(client, new PostgresMasterDataStore(dataSource), {
              maxAgeMs: config.LOADER_MASTER_DATA_MAX_AGE_SECONDS * 1000,
              negativeTtlMs: config.LOADER_MASTER_DATA_NEGATIVE_TTL_SECONDS * 1000,
            }),
        },
        {
          provide: OrderLoader,
          inject: [LEDGER_STORE, XINGCHEN_CLIENT, MASTER_DATA, METRICS, LOGGER],
          useFactory: (
            ledger: PostgresLedgerStore,
            client: XingchenClient,
            masterData: MasterDataCache,
            metrics: Metrics,
            logger: Logger,
          ) => new OrderLoader(ledger, client, masterData, metrics, logger),
        },
        NormalizedOrderHandler,
      ],
    };
  }
}
