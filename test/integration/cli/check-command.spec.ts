import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NormalizedSalesOrder } from '@app/contracts';
import { loadMappingFile, mapTrade } from '@app/mapping';
import { groupLag, testDatabaseUrl, waitFor } from '@app/testing';
import { checkSandboxes, formatCheck, type CheckSources } from '../../../apps/cli/src';
import { repoRoot } from '@app/stack';
import { createWdtSandbox, type WdtSandbox, type SandboxTrade } from '../../../apps/wdt-sandbox/src';
import {
  clientFor,
  loaderScenario,
  loaderTopics,
  produceOrders,
  startLoader,
} from '../loader/loader-harness';

const rules = loadMappingFile(join(repoRoot, 'config', 'mapping.demo.yaml'));
const fixtureTrades = (
  JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'wdt-problem-trades.json'), 'utf8')) as {
    trades: SandboxTrade[];
  }
).trades;

/** The fixture's mappable trades under trade numbers of this run (the test database is shared). */
const tradesOfThisRun = (): SandboxTrade[] => {
  const run = randomUUID().slice(0, 8);
  return fixtureTrades
    .filter((trade) => trade.trade_no.startsWith('JY-FIX-OK'))
    .map((trade) => ({ ...trade, trade_no: `${trade.trade_no}-${run}` }));
};

const mapped = (trade: SandboxTrade): NormalizedSalesOrder => {
  const result = mapTrade(trade, rules);
  if (result.outcome !== 'mapped') throw new Error(`${trade.trade_no} maps to ${result.outcome}`);
  return result.order;
};

describe('./erpsync check: the WDT sandbox, the Xingchen sandbox and the ledger compared', () => {
  const s = loaderScenario();
  let wdt: WdtSandbox;
  afterAll(async () => {
    await wdt?.close();
  });

  it('is clean once the loader synced every trade, then names the bill someone changed in Xingchen and the trade never sent', async () => {
    const [first, second] = tradesOfThisRun();
    wdt = createWdtSandbox({ trades: [first, second] });
    await wdt.listen(0);
    const topics = await loaderTopics(s.admin);
    await produceOrders(s.kafka, topics.normalized, [mapped(first), mapped(second)]);
    s.loader = await startLoader(topics, s.sandbox);
    await waitFor(() => s.sandbox.orders().length === 2, {
      timeoutMs: 60_000,
      description: '2 orders in Xingchen',
    });
    await waitFor(async () => (await groupLag(s.admin, topics.group, topics.normalized)) === 0, {
      description: 'loader lag 0',
    });
    const sources: CheckSources = {
      wdtUrl: wdt.url,
      xingchenUrl: s.sandbox.url,
      databaseUrl: testDatabaseUrl(),
      rules,
    };

    const synced = await checkSandboxes(sources);
    expect(synced.problems).toEqual({ missing: 0, duplicates: 0, stale: 0, mismatched: 0, deadLettered: 0 });
    expect(synced.pendingLedger).toBe(0);
    expect(synced.clean).toBe(true);

    // someone edits the first order in Xingchen, and a trade appears in WDT that nobody sent
    const stored = s.sandbox.orders().find((order) => order.billno === first.trade_no)!;
    const client = clientFor(s.sandbox);
    const saved = (await client.getSalesOrder(stored.id))!;
    await client.saveSalesOrder({
      ...saved,
      lines: [{ ...saved.lines[0], qty: '5' }, ...saved.lines.slice(1)],
    });
    client.close();
    const unsent = {
      ...second,
      trade_no: `${second.trade_no}-UNSENT`,
      trade_id: `${String(second.trade_id)}9`,
    };
    const added = await fetch(`${wdt.url}/__sandbox/trades`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ trades: [unsent] }),
    });
    expect(added.ok).toBe(true);

    const drifted = await checkSandboxes(sources);
    expect(drifted.clean).toBe(false);
    expect(drifted.problems).toEqual({ missing: 1, duplicates: 0, stale: 0, mismatched: 1, deadLettered: 0 });
    expect(drifted.report.missing.map((entry) => entry.billNo)).toEqual([unsent.trade_no]);
    expect(drifted.report.mismatched.map((entry) => entry.billNo)).toEqual([first.trade_no]);
    const text = formatCheck(drifted);
    expect(text).toContain('missing 1, duplicates 0, stale 0, mismatched 1');
    expect(text).toMatch(new RegExp(`mismatched\\s+${first.trade_no}: .*qty`));
    expect(text).toMatch(new RegExp(`missing\\s+${unsent.trade_no}: `));
  });
});
