import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recentFixtureCopy, repo, runDemo } from './e2e-stack';

interface Report {
  clean: boolean;
  counts: Record<string, number>;
  missing: Array<{ billNo: string }>;
  dead_lettered: Array<{ tradeNo: string; hop: string; reason: string; message: string }>;
}
interface SavedOrders {
  orders: Array<{ billno: string; body: { material_entity: Array<{ cess: string | number }> } }>;
}

const run = async (fixtureName: string) => {
  const out = mkdtempSync(join(tmpdir(), 'erpsync-demo-real-types-'));
  const fixture = recentFixtureCopy(join(repo, 'test', 'fixtures', fixtureName), out);
  const { code, output } = await runDemo(['--wdt-fixture', fixture, '--out', out]);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  const saved = JSON.parse(readFileSync(join(out, 'xingchen-orders.json'), 'utf8')) as SavedOrders;
  const cess = (billNo: string) =>
    saved.orders.find((order) => order.billno === billNo)?.body.material_entity.map((l) => Number(l.cess));
  return { code, output, report, saved, cess };
};

describe("e2e: ./erpsync demo --once with WDT's real field types", () => {
  it('syncs 30 trades sent with JSON numbers and "" tax rates completely, with the right tax rates', async () => {
    const { code, output, report, saved, cess } = await run('wdt-real-types.json');
    expect(output).toContain('reconciliation CLEAN');
    expect(code).toBe(0);
    expect(report.counts).toMatchObject({
      wdtTrades: 30,
      expectedOrders: 24,
      inSync: 24,
      missing: 0,
      deadLettered: 0,
      duplicated: 0,
      stale: 0,
      mismatched: 0,
      filtered: 3,
    });
    expect(saved.orders).toHaveLength(24);
    expect(cess('JY-REAL-004')).toEqual([9]); // the line's own 0.09
    expect(cess('JY-REAL-008')).toEqual([6, 6]); // "" line rates → the trade's 0.06
    expect(cess('JY-REAL-013')).toEqual([13]); // "" line and trade rates → tax.defaultPercent
  });

  it('names each truly broken trade with its hop and reason, exits 1, and syncs every other order', async () => {
    const { code, output, report, saved } = await run('wdt-broken-trades.json');
    expect(output).toContain('reconciliation FOUND PROBLEMS');
    expect(output).toContain('JY-BRK-NO-SPEC');
    expect(code).toBe(1);
    expect(report.counts).toMatchObject({ wdtTrades: 8, inSync: 6, missing: 0, deadLettered: 2 });
    expect(saved.orders.map((order) => order.billno).sort()).toEqual([
      'JY-BRK-OK-1',
      'JY-BRK-OK-2',
      'JY-BRK-OK-3',
      'JY-BRK-OK-4',
      'JY-BRK-OK-5',
      'JY-BRK-OK-6',
    ]);
    expect(report.dead_lettered).toEqual([
      {
        tradeNo: 'JY-BRK-NO-MODIFIED',
        hop: 'extractor',
        reason: 'missing_field',
        message: 'required field missing: modified',
      },
      {
        tradeNo: 'JY-BRK-NO-SPEC',
        hop: 'extractor',
        reason: 'missing_field',
        message: 'required field missing: goods_list.0.spec_no',
      },
    ]);
  });
});
