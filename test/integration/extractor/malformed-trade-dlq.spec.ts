import { type INestApplication } from '@nestjs/common';
import { closeAfterAll, listening } from '@app/testing';
import { formatWdtTime } from '@app/contracts';
import { createWdtSandbox, generateTrades, type WdtSandbox } from '../../../apps/wdt-sandbox/src';
import { configuredScenario, pairs, published, startExtractor, waitForCheckpoint } from './extractor-harness';

/** A trade that breaks the contract goes to the DLQ with the reason; the window still completes. */
describe('the extractor and a malformed trade', () => {
  let sandbox: WdtSandbox;
  let app: INestApplication | undefined;

  closeAfterAll(
    () => app,
    () => sandbox,
  );

  it('dead-letters a truly broken trade with the reason and publishes the others, numbers included', async () => {
    const now = Date.now();
    const trades = generateTrades({
      seed: 4,
      count: 12,
      endMs: now - 30_000,
      historySeconds: 3600,
      settled: true,
    });
    const bad = structuredClone(trades[5]);
    delete (bad.goods_list as Array<Record<string, unknown>>)[0].spec_no; // a line without its SKU
    trades[5] = bad;
    // a number where the seed contract had "2.0000" is what WDT really sends: published, not dead-lettered
    const numeric = structuredClone(trades[6]);
    (numeric.goods_list as Array<Record<string, unknown>>)[0].num = 2;
    trades[6] = numeric;
    sandbox = await listening(createWdtSandbox({ trades, faults: { rateLimitPerMinute: 100000 } }));
    const { names, config } = await configuredScenario(sandbox, {
      INITIAL_CHECKPOINT: formatWdtTime(now - 2 * 3600_000),
    });
    ({ app } = await startExtractor(config));

    const last = trades
      .map((t) => t.modified)
      .sort()
      .at(-1)!;
    await waitForCheckpoint(names.checkpointName, last, {
      timeoutMs: 30000,
      description: 'the checkpoint to pass every trade',
    });

    const dead = await published(names.dlq);
    expect(dead.map((d) => d.tradeNo)).toEqual([bad.trade_no]);
    expect(dead[0].record.key).toBe(bad.trade_no);
    expect(JSON.parse(dead[0].record.value!)).toEqual(bad);
    expect(dead[0].record.headers).toMatchObject({
      'dlq-original-topic': names.raw,
      'dlq-error-class': 'WdtTradeParseError',
      'dlq-error-reason': 'invalid_trade',
      'dlq-error-detail': 'missing_field',
      'dlq-hop': 'extractor',
      'dlq-error-message': 'required field missing: goods_list.0.spec_no',
      'source-system': 'wdt',
      'source-modified': `${bad.modified.replace(' ', 'T')}+08:00`,
    });
    const good = trades.filter((t) => t !== bad);
    expect(pairs(await published(names.raw))).toEqual(pairs(good));
  });
});
