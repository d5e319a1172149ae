import { type MigrationInterface } from 'typeorm';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const allMigrations: (new () => MigrationInterface)[] = [];
