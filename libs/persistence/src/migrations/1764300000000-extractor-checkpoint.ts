import { sqlMigration } from './sql-migration';

export const ExtractorCheckpoint1764300000000 = sqlMigration('ExtractorCheckpoint1764300000000', {
  up: [
    `
      CREATE TABLE extractor_checkpoint (
        name text PRIMARY KEY,
        checkpoint_at timestamptz NULL,
        lease_holder text NULL,
        lease_expires_at timestamptz NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
  ],
  down: ['DROP TABLE extractor_checkpoint'],
});
