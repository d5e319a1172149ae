import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@app/testing';
import {
  demoMapping,
  type E2eStack,
  reconcileStack,
  replayThroughAdmin,
  startE2eStack,
  xingchenOrders,
  NO_DRIFT,
} from './e2e-stack';

describe('e2e: a mapping gap dead-letters orders; after the fix a DLQ redrive creates them', () => {
  let e2e: E2eStack;
  let incompleteMapping: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'erpsync-mapping-'));
    incompleteMapping = join(dir, 'mapping-without-jd.yaml');
    writeFileSync(
      incompleteMapping,
      readFileSync(demoMapping, 'utf8').replace(/^\s*JD001: CUST-JD001\n/m, ''),
    );
    e2e = await startE2eStack({ trades: 300, seed: 23, mappingFile: incompleteMapping });
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  it('creates the missing orders once the transformer runs the fixed mapping and the DLQ is redriven', async () => {
    await e2e.stack.waitUntilIdle(e2e.kafka);
    const gap = await reconcileStack(e2e, incompleteMapping);
    // each lost at the transformer, read from the raw DLQ: dead_lettered with its hop, not missing
    const unmapped = gap.dead_lettered
      .filter((entry) => entry.hop === 'transformer' && entry.reason === 'unmapped_shop')
      .map((entry) => ({ billNo: entry.tradeNo }));
    expect(unmapped.length).toBeGreaterThan(5);
    expect(gap.dead_lettered).toHaveLength(unmapped.length);
    expect(gap.missing).toEqual([]);
    expect(gap.clean).toBe(false);
    const ordersBefore = await xingchenOrders(e2e.stack);
    expect(ordersBefore.some((o) => unmapped.some((m) => m.billNo === o.billno))).toBe(false);

    // the fix: the transformer restarts with the complete mapping
    await e2e.stack.supervisor.stop('transformer');
    e2e.stack.setEnv('transformer', { MAPPING_FILE: demoMapping });
    await e2e.stack.startService('transformer');

    const done = await replayThroughAdmin(e2e.stack, { source: 'raw-dlq', reason: 'unmapped_shop' });
    expect(done.status).toBe(202);
    expect(done).toMatchObject({ state: 'done' });
    expect(done.replayed).toBeGreaterThanOrEqual(unmapped.length);

    await waitFor(
      async () => {
        const billNos = new Set((await xingchenOrders(e2e.stack)).map((o) => o.billno));
        return unmapped.every((entry) => billNos.has(entry.billNo));
      },
      { timeoutMs: 120000, description: 'the dead-lettered orders created' },
    );
    await e2e.stack.waitUntilIdle(e2e.kafka);
    const fixed = await reconcileStack(e2e);
    // dead-lettered once, synced after the redrive: the verdict is clean again
    expect(fixed.counts).toMatchObject({ ...NO_DRIFT, deadLettered: 0 });
    expect(fixed.clean).toBe(true);
    expect((await xingchenOrders(e2e.stack)).length).toBe(ordersBefore.length + unmapped.length);
  });
});
