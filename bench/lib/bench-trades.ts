import { formatWdtTime } from '@app/contracts';
import { loadMappingFile, mapTrade, type MappingRules } from '@app/mapping';
import { generateTradeTimelines, type SandboxTrade } from '../../apps/wdt-sandbox/src';

/**
 * Trades for the pipeline benchmark: realistic WDT trades from the sandbox's generator (multi-line
 * orders, bundles, gifts, refunds), restricted to versions the mapping rules turn into an order, and
 * cloned under fresh trade numbers and `modified` times so that every bench trade becomes exactly one
 * new Xingchen order.
 */
export class BenchTrades {
  private readonly templates: SandboxTrade[];

  constructor(mappingFile: string, seed = 4242) {
    const rules: MappingRules = loadMappingFile(mappingFile);
    const timelines = generateTradeTimelines({
      seed,
      count: 600,
      endMs: Date.parse('2024-06-18T12:00:00+08:00'),
      historySeconds: 86400,
      settled: true,
    });
    const templates: SandboxTrade[] = [];
    for (const timeline of timelines) {
      const last = timeline.versions[timeline.versions.length - 1]?.trade;
      if (last && mapTrade(last, rules).outcome === 'mapped') templates.push(last);
    }
    if (templates.length < 50) throw new Error(`only ${templates.length} mappable trade templates`);
    this.templates = templates;
    // every clone must map: check one of each template under a bench number
    for (let i = 0; i < templates.length; i++) {
      const outcome = mapTrade(this.make(`BENCHCHECK${i}`, i, Date.now()), rules).outcome;
      if (outcome !== 'mapped') throw new Error(`bench trade ${i} maps to ${outcome}`);
    }
  }

  /** Trade `index` as a new trade `tradeNo`, modified at `modifiedMs` (whole seconds, Beijing time). */
  make(tradeNo: string, index: number, modifiedMs: number): SandboxTrade {
    const template = this.templates[index % this.templates.length];
    const modified = formatWdtTime(modifiedMs);
    const tradeId = String(50_000_000 + index);
    return {
      ...template,
      trade_no: tradeNo,
      trade_id: tradeId,
      modified,
      goods_list: (template.goods_list as Array<Record<string, unknown>>).map((line) => ({
        ...line,
        trade_id: tradeId,
        modified,
      })),
    };
  }

  /** Mean size in bytes of a trade's JSON (the raw topic's message value). */
  meanJsonBytes(sample = 200): number {
    let total = 0;
    for (let i = 0; i < sample; i++)
      total += Buffer.byteLength(JSON.stringify(this.make(`BENCHSIZE${i}`, i, Date.now())));
    return Math.round(total / sample);
  }
}
