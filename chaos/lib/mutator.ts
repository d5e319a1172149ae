import Decimal from 'decimal.js';
import { formatWdtTime, parseWdtTime } from '@app/contracts';
import { sleep } from '@app/runtime';

/** A WDT trade as the sandbox serves it. */
export type SandboxTrade = Record<string, unknown> & { trade_no: string; modified: string };

type Line = Record<string, unknown>;

const CANCELLED = 5;
const ELIGIBLE_FIRST = 55;
const d4 = (value: Decimal.Value): string => new Decimal(value).toFixed(4, Decimal.ROUND_HALF_UP);
const decimalText = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '0';

export type ModificationKind = 'quantity' | 'advance' | 'cancel' | 'late';

/**
 * Changes WDT trades during a run the way shops do: later `modified` with changed quantities, a
 * status moving to an eligible one, cancellations, and modifications that become visible late
 * (a `modified` a few seconds in the past, inside the extractor's safety lag). Posted through the
 * sandbox's `POST /__sandbox/trades`, so they also shift the pages of a window being read.
 */
export class Mutator {
  modifications = 0;
  readonly byKind: Record<ModificationKind, number> = { quantity: 0, advance: 0, cancel: 0, late: 0 };
  private readonly excluded = new Set<string>();
  private stopped = false;

  constructor(
    private readonly wdtUrl: string,
    private readonly random: () => number,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  async trades(): Promise<SandboxTrade[]> {
    const response = await fetch(`${this.wdtUrl}/__sandbox/trades`, { signal: AbortSignal.timeout(10000) });
    return ((await response.json()) as { trades: SandboxTrade[] }).trades;
  }

  async post(trades: SandboxTrade[]): Promise<void> {
    const response = await fetch(`${this.wdtUrl}/__sandbox/trades`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ trades }),
      signal: AbortSignal.timeout(10000),
    });
    if (!response.ok) throw new Error(`POST /__sandbox/trades: ${response.status} ${await response.text()}`);
  }

  /** Trades the mutator must leave alone (planted poison). */
  exclude(tradeNos: Iterable<string>): void {
    for (const tradeNo of tradeNos) this.excluded.add(tradeNo);
  }

  stop(): void {
    this.stopped = true;
  }

  /** `rounds` rounds of a few modifications, `intervalMs` apart (bounded in count and time). */
  async run(rounds: number, intervalMs: number, perRound = 4): Promise<void> {
    for (let round = 0; round < rounds && !this.stopped; round++) {
      await sleep(intervalMs);
      try {
        await this.round(perRound);
      } catch (error) {
        this.log(`mutator: round ${round + 1} failed: ${(error as Error).message}`);
      }
    }
  }

  async round(count: number): Promise<void> {
    const candidates = (await this.trades()).filter(
      (trade) => !this.excluded.has(trade.trade_no) && trade.trade_status !== CANCELLED,
    );
    const changed: SandboxTrade[] = [];
    const used = new Set<string>();
    for (let i = 0; i < count && candidates.length > 0; i++) {
      const trade = candidates[Math.floor(this.random() * candidates.length)];
      if (used.has(trade.trade_no)) continue;
      used.add(trade.trade_no);
      const roll = this.random();
      const kind: ModificationKind =
        roll < 0.55 ? 'quantity' : roll < 0.75 ? 'advance' : roll < 0.85 ? 'cancel' : 'late';
      changed.push(this.modify(trade, kind));
      this.byKind[kind]++;
    }
    if (changed.length === 0) return;
    await this.post(changed);
    this.modifications += changed.length;
  }

  /** A later version of `trade` (its `modified` strictly after the previous one). */
  modify(trade: SandboxTrade, kind: ModificationKind): SandboxTrade {
    const next = structuredClone(trade);
    const previous = parseWdtTime(trade.modified);
    const wanted = kind === 'late' ? Date.now() - 3000 : Date.now();
    next.modified = formatWdtTime(Math.max(wanted, previous + 1000));
    if (kind === 'cancel') {
      next.trade_status = CANCELLED;
      return next;
    }
    if (kind === 'advance' && typeof trade.trade_status === 'number' && trade.trade_status < ELIGIBLE_FIRST) {
      next.trade_status = ELIGIBLE_FIRST;
      return next;
    }
    const lines = Array.isArray(next.goods_list) ? (next.goods_list as Line[]) : [];
    const line = lines.find((l) => l.refund_status !== 5 && Number(l.gift_type ?? 0) === 0) ?? lines[0];
    if (line) {
      const num = new Decimal(decimalText(line.num)).add(1);
      const unit = new Decimal(decimalText(line.share_price));
      line.num = d4(num);
      line.actual_num = d4(num);
      line.share_amount = d4(unit.mul(num));
    }
    return next;
  }
}
