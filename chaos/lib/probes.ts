import { type Kafka } from 'kafkajs';
import { readAll, type ReadRecord } from '@app/testing';
import { parseWdtTime } from '@app/contracts';
import { LedgerQueries } from '@app/persistence';
import { type SandboxTrade } from './mutator';

/** The extractor's live checkpoint (epoch ms) straight from its table; null before the first window. */
export async function readCheckpoint(databaseUrl: string): Promise<number | null> {
  const row = await LedgerQueries.using(databaseUrl, (queries) => queries.checkpoint('wdt.trade'));
  return row?.checkpointMs ?? null;
}

/** Every record of a topic now (the DLQ headers included). */
export const readTopic = (kafka: Kafka, topic: string): Promise<ReadRecord[]> => readAll(kafka, topic);

/**
 * "The checkpoint is never ahead of an acknowledged produce": every WDT trade version modified at
 * or before the checkpoint is on the raw topic (a record of that trade at least that new). Returns
 * the trade numbers that break it.
 */
export function checkpointGaps(checkpointMs: number, versions: SandboxTrade[], raw: ReadRecord[]): string[] {
  const newest = new Map<string, string>();
  for (const record of raw) {
    if (!record.key || !record.value) continue;
    const modified = (JSON.parse(record.value) as { modified?: string }).modified ?? '';
    if ((newest.get(record.key) ?? '') < modified) newest.set(record.key, modified);
  }
  return versions
    .filter((trade) => parseWdtTime(trade.modified) <= checkpointMs)
    .filter((trade) => (newest.get(trade.trade_no) ?? '') < trade.modified)
    .map((trade) => trade.trade_no);
}

/** Counts of a table, for the notes. */
export async function ledgerCounts(databaseUrl: string): Promise<Record<string, number>> {
  return LedgerQueries.using(databaseUrl, (queries) => queries.countsByStatus());
}
