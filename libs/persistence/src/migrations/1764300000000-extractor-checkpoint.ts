import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class ExtractorCheckpoint1764300000000 implements MigrationInterface {
  name = 'ExtractorCheckpoint1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE extractor_checkpoint (
        name text PRIMARY KEY,
        checkpoint_at timestamptz NULL,
        lease_holder text NULL,
        lease_expires_at timestamptz NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE extractor_checkpoint');
  }
}
