import { Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthRegistry } from '@app/observability';
import { createDataSource, runMigrations, type DatabaseOptions } from './data-source';

export interface PersistenceOptions extends DatabaseOptions {
  runMigrations: boolean;
}

const OPTIONS = Symbol('PERSISTENCE_OPTIONS');

/** Registers PostgreSQL's readiness and closes the pool at shutdown. */
class PersistenceLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register({
      name: 'postgres',
      check: async () => {
        await this.dataSource.query('SELECT 1');
        return { ok: true };
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        { provide: OPTIONS, useValue: options },
        {
          provide: DataSource,
          inject: [OPTIONS],
          useFactory: async (opts: PersistenceOptions) => {
            const dataSource = createDataSource(opts);
            await dataSource.initialize();
            if (opts.runMigrations) await runMigrations(dataSource);
            return dataSource;
          },
        },
        {
          provide: PersistenceLifecycle,
          inject: [DataSource, HealthRegistry],
          useFactory: (dataSource: DataSource, health: HealthRegistry) =>
            new PersistenceLifecycle(dataSource, health),
        },
      ],
      exports: [DataSource],
    };
  }
}
