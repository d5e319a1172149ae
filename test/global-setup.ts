import { createDataSource, ensureDatabase, runMigrations } from '@app/persistence';
import { testDatabaseUrl } from '@app/testing';

/** Integration and e2e suites share one test database, migrated once per run. */
export default async function globalSetup(): Promise<void> {
  const url = testDatabaseUrl();
  await ensureDatabase(url);
  const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'erpsync-test-setup' });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
