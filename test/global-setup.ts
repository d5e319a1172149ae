/** Integration and e2e suites share one test database, migrated once per run. */
export default async function globalSetup(): Promise<void> {
  // globalSetup runs outside jest's module mapping: resolve @app/* to the TypeScript sources
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../scripts/register-paths') as { register: (mode: string) => void }).register('src');
  const { createDataSource, ensureDatabase, runMigrations } = await import('@app/persistence');
  const { testDatabaseUrl } = await import('@app/testing');
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
