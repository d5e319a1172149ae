import { type MigrationInterface } from 'typeorm';
import { ExtractorCheckpoint1764300000000 } from './1764300000000-extractor-checkpoint';

/** Every migration, in order. Add new ones at the end (with `sqlMigration`); what a shipped one runs never changes (shipped-migrations.spec.ts). */
export const allMigrations: (new () => MigrationInterface)[] = [];
allMigrations.push(ExtractorCheckpoint1764300000000);
import { LoaderLedger1764400000000 } from './1764400000000-loader-ledger';
allMigrations.push(LoaderLedger1764400000000);
import { LedgerAuditedStatus1764900000000 } from './1764900000000-ledger-audited-status';
allMigrations.push(LedgerAuditedStatus1764900000000);
import { XingchenCallBudget1765000000000 } from './1765000000000-xingchen-call-budget';
allMigrations.push(XingchenCallBudget1765000000000);
import { OperationsConsole1765100000000 } from './1765100000000-operations-console';
allMigrations.push(OperationsConsole1765100000000);
