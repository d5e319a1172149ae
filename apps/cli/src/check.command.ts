import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadMappingFile, type MappingRules } from '@app/mapping';
import {
  formatReport,
  reconcile,
  type MasterDataIds,
  type ReconciliationReport,
  type XingchenOrderView,
} from '@app/reconciliation';
import { readDetailFor, type XingchenApiFamily } from '@app/xingchen-client';
import { stringOption, type CommandSpec, type ParsedArgs } from './args';
import { cliDatabaseEnv, cliKafkaEnv, loadCliEnv } from './cli-config';
import { type Kafka } from 'kafkajs';
import { createKafka } from '@app/kafka';
import { Topics, wdtTradeNoOf } from '@app/contracts';
import { fetchDeadLetters, fetchLedger, type DeadLetterTopics } from '@app/operations';
import { repoRoot, DEFAULT_PORTS } from '@app/stack';

export interface CheckSources {
  /** The WDT sandbox: its `/__sandbox/trades` is the truth (every visible trade, latest version). */
  wdtUrl: string;
  /** The Xingchen sandbox: `/__sandbox/orders` (saved bodies) and `/__sandbox/master-data` (ids). */
  xingchenUrl: string;
  databaseUrl: string;
  rules: MappingRules;
  /** The broker and the pipeline's topics: the three DLQs are read (dead letters of every hop). */
  kafka?: Kafka;
  topics?: DeadLetterTopics;
}

/** What the checker adds to the reconciliation: the four counts that must be zero, and the ledger's loose ends. */
export interface CheckResult {
  report: ReconciliationReport;
  /** missing + duplicated + stale + mismatched + dead-lettered, each a count. */
  problems: { missing: number; duplicates: number; stale: number; mismatched: number; deadLettered: number };
  /** Ledger rows still `pending` (an intent whose outcome nobody resolved yet). */
  pendingLedger: number;
  clean: boolean;
}

interface SandboxStoredOrder {
  id: string;
  billno: string;
  family: XingchenApiFamily;
  /** The last save's body in the family's wire names (without `id`). */
  body: Record<string, unknown>;
  /** The stored lines with their entry ids, in the family's wire names. */
  entries: Array<Record<string, unknown>>;
  audited: boolean;
}

/** A stored sandbox order read the way its family's detail answer would be read. */
export function storedOrderView(order: SandboxStoredOrder): XingchenOrderView {
  const detail = {
    ...order.body,
    id: order.id,
    material_entity: order.entries,
    ...(order.family === 'v1'
      ? { billstatus: order.audited ? 'C' : 'Z' }
      : { bill_status: order.audited ? 'C' : 'Z' }),
  };
  const read = readDetailFor(order.family, detail);
  if (!read) throw new Error(`the sandbox's order ${order.id} does not read as a ${order.family} detail`);
  return { ...read, id: order.id, billNo: order.billno };
}

interface SandboxMasterData {
  customers: Array<{ id: string; number: string }>;
  materials: Array<{ id: string; number: string; base_unit_id: string }>;
  stores: Array<{ id: string; number: string }>;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Number → id as the Xingchen sandbox holds it now (what the loader's look-ups would find). */
export function masterDataIds(data: SandboxMasterData): MasterDataIds {
  const customers = new Map(data.customers.map((c) => [c.number, c.id]));
  const materials = new Map(data.materials.map((m) => [m.number, m]));
  const stores = new Map(data.stores.map((s) => [s.number, s.id]));
  return {
    customerId: (n) => customers.get(n),
    materialId: (n) => materials.get(n)?.id,
    baseUnitId: (n) => materials.get(n)?.base_unit_id,
    storeId: (n) => stores.get(n),
  };
}

/**
 * The three-ledger check of a sandbox run: the WDT sandbox's trades (truth), the Xingchen sandbox's
 * stored orders and the erpsync ledger, compared by libs/reconciliation's `reconcile()`.
 */
export async function checkSandboxes(sources: CheckSources): Promise<CheckResult> {
  const [wdt, xingchen, masterData] = await Promise.all([
    getJson<{ trades: unknown[] }>(`${sources.wdtUrl}/__sandbox/trades`),
    getJson<{ orders: SandboxStoredOrder[] }>(`${sources.xingchenUrl}/__sandbox/orders`),
    getJson<SandboxMasterData>(`${sources.xingchenUrl}/__sandbox/master-data`),
  ]);
  const positions = wdt.trades.map((_trade, index) => `sandbox trades #${index}`);
  const billNos = new Set(wdt.trades.map((trade, index) => wdtTradeNoOf(trade) ?? positions[index]));
  const [ledger, deadLetters] = await Promise.all([
    fetchLedger(sources.databaseUrl, [...billNos]),
    sources.kafka && sources.topics ? fetchDeadLetters(sources.kafka, sources.topics) : Promise.resolve([]),
  ]);
  const xingchenOrders: XingchenOrderView[] = xingchen.orders
    .filter((order) => billNos.has(order.billno))
    .map(storedOrderView);
  const report = reconcile({
    trades: wdt.trades,
    positions,
    deadLetters,
    ledger,
    xingchenOrders,
    masterData: masterDataIds(masterData),
    rules: sources.rules,
  });
  const problems = {
    missing: report.counts.missing,
    duplicates: report.counts.duplicated,
    stale: report.counts.stale,
    mismatched: report.counts.mismatched,
    deadLettered: report.counts.deadLettered,
  };
  return {
    report,
    problems,
    pendingLedger: ledger.filter((row) => row.status === 'pending').length,
    clean: report.clean,
  };
}

/** The terminal text: the reconciliation table, then every problem (not only the first twenty). */
export function formatCheck(result: CheckResult): string {
  const { report } = result;
  const list = (kind: string, entries: ReconciliationReport['missing']) =>
    entries.map(
      (e) =>
        `  ${kind.padEnd(10)} ${e.billNo}: ${e.reason}${e.detail ? ` — ${e.detail}` : ''}${
          e.differences
            ? ` — ${e.differences.map((d) => `${d.field}: ${d.expected} ≠ ${d.actual}`).join(', ')}`
            : ''
        }${e.xingchenIds ? ` — Xingchen ids ${e.xingchenIds.join(', ')}` : ''}`,
    );
  const header = formatReport({
    ...report,
    missing: [],
    duplicated: [],
    stale: [],
    mismatched: [],
    dead_lettered: [],
  }).replace('reconciliation', 'check');
  const p = result.problems;
  return [
    header,
    `  pending ledger rows      ${String(result.pendingLedger).padStart(7)}`,
    '',
    `missing ${p.missing}, duplicates ${p.duplicates}, stale ${p.stale}, mismatched ${p.mismatched}, dead-lettered ${p.deadLettered}`,
    ...list('missing', report.missing),
    ...list('duplicate', report.duplicated),
    ...list('stale', report.stale),
    ...list('mismatched', report.mismatched),
    ...report.dead_lettered.map(
      (e) => `  ${'dead'.padEnd(10)} ${e.tradeNo}: dead-lettered by the ${e.hop}: ${e.reason} — ${e.message}`,
    ),
  ].join('\n');
}

/** `./erpsync check`: exits 1 when anything is missing, duplicated, stale or mismatched. */
export async function checkCommand(args: ParsedArgs): Promise<number> {
  const mappingFile = resolve(stringOption(args, 'mapping') ?? join(repoRoot, 'config', 'mapping.demo.yaml'));
  const databaseUrl = stringOption(args, 'database-url') ?? loadCliEnv(cliDatabaseEnv).DATABASE_URL;
  const result = await checkSandboxes({
    wdtUrl: (stringOption(args, 'wdt') ?? `http://127.0.0.1:${DEFAULT_PORTS.wdt}`).replace(/\/$/, ''),
    xingchenUrl: (stringOption(args, 'xingchen') ?? `http://127.0.0.1:${DEFAULT_PORTS.xingchen}`).replace(
      /\/$/,
      '',
    ),
    databaseUrl,
    rules: loadMappingFile(mappingFile),
    kafka: createKafka({ brokers: loadCliEnv(cliKafkaEnv).KAFKA_BROKERS, clientId: 'erpsync-check' }),
    topics: { raw: Topics.rawTrades, replay: Topics.rawTradesReplay, normalized: Topics.normalizedOrders },
  });
  process.stdout.write(`${formatCheck(result)}\n`);
  const out = stringOption(args, 'out');
  if (out) {
    writeFileSync(resolve(out), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`\nwritten: ${resolve(out)}\n`);
  }
  return result.clean ? 0 : 1;
}

export const CHECK_COMMAND: CommandSpec = {
  name: 'check',
  summary:
    'The sandboxes against the ledger: every WDT sandbox trade in Xingchen once, current, and in the ledger.',
  options: {
    wdt: {
      type: 'string',
      value: 'URL',
      default: `http://127.0.0.1:${DEFAULT_PORTS.wdt}`,
      describe: 'the WDT sandbox',
    },
    xingchen: {
      type: 'string',
      value: 'URL',
      default: `http://127.0.0.1:${DEFAULT_PORTS.xingchen}`,
      describe: 'the Xingchen sandbox',
    },
    'database-url': { type: 'string', value: 'URL', default: 'DATABASE_URL', describe: 'the ledger' },
    mapping: {
      type: 'string',
      value: 'FILE',
      default: 'config/mapping.demo.yaml',
      describe: 'the mapping rules',
    },
    out: { type: 'string', value: 'FILE', describe: 'also write the result as JSON' },
  },
  env: { ...cliDatabaseEnv, ...cliKafkaEnv },
  notes: ['exit 1 when anything is missing, duplicated, stale, mismatched or dead-lettered.'],
  run: checkCommand,
};
