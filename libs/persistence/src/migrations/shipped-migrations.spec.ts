import { createHash } from 'node:crypto';
import { type QueryRunner } from 'typeorm';
import { allMigrations } from './index';

/** What each shipped migration runs, as sha256 of its up and down statements: a shipped one never changes. */
const SHIPPED: Record<string, string> = {
  ExtractorCheckpoint1764300000000: '56a30b742c7999b0321d3c37fab059061d3defad545c4c2565a5c7b4c4a144a3',
  LoaderLedger1764400000000: 'bce47824c15c8352227234388424b355d4deb4cc44c3f9df531ad20e40c2cd27',
  LedgerAuditedStatus1764900000000: '312e94f451499695cf55051f27954df8bff74b88143509f5091504f5f3bcb373',
};

async function statementsOf(Migration: (typeof allMigrations)[number]) {
  const migration = new Migration();
  const statements: string[] = [];
  const runner = { query: (sql: string) => Promise.resolve(statements.push(sql)) } as unknown as QueryRunner;
  await migration.up(runner);
  statements.push('--down--');
  await migration.down(runner);
  return {
    name: migration.name ?? '',
    digest: createHash('sha256').update(JSON.stringify(statements)).digest('hex'),
  };
}

describe('shipped migrations', () => {
  it.each(Object.entries(SHIPPED))('%s still runs exactly what it shipped with', async (name, digest) => {
    const found = await Promise.all(allMigrations.map(statementsOf));
    expect(found.find((m) => m.name === name)?.digest).toBe(digest);
  });

  it('keeps the order of their timestamps', async () => {
    const names = (await Promise.all(allMigrations.map(statementsOf))).map((m) => m.name);
    const stamps = names.map((name) => Number(name.slice(-13)));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(new Set(names).size).toBe(names.length);
  });
});
