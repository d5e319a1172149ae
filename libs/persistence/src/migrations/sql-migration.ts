import { type MigrationInterface, type QueryRunner } from 'typeorm';

export interface SqlSteps {
  /** Statements run in order to apply the migration. */
  up: readonly string[];
  /** Statements run in order to undo it. */
  down: readonly string[];
}

/**
 * A migration that is only SQL. TypeORM keys a migration on `name` (its timestamp is the name's last
 * 13 digits), so the name must stay the one that shipped.
 */
export function sqlMigration(name: string, steps: SqlSteps): new () => MigrationInterface {
  const run = async (runner: QueryRunner, statements: readonly string[]) => {
    for (const statement of statements) await runner.query(statement);
  };
  return class implements MigrationInterface {
    name = name;
    up = (runner: QueryRunner) => run(runner, steps.up);
    down = (runner: QueryRunner) => run(runner, steps.down);
  };
}
