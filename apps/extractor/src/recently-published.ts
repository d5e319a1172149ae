import { createHash } from 'node:crypto';

/**
 * What the live extractor published and Kafka acknowledged, for the trades a next cycle re-reads
 * (the overlap before the checkpoint, a window re-read because it changed while paging). A trade
 * whose payload is byte-for-byte the one already acknowledged is not sent again: with the default
 * 60 s overlap and 30 s poll every trade would otherwise travel the whole pipeline two or three
 * times. A trade whose payload changed in any way, or one never seen (a late writer the overlap
 * exists for), is sent. Kept in memory only: after a restart everything in the overlap is sent
 * once more, which the loader absorbs as unchanged.
 */
export class RecentlyPublished {
  private readonly byTradeNo = new Map<string, { modifiedMs: number; digest: string }>();

  static digest(payload: string | Buffer): string {
    return createHash('sha1').update(payload).digest('base64');
  }

  /** True when exactly this payload of the trade was acknowledged before. */
  has(tradeNo: string, digest: string): boolean {
    return this.byTradeNo.get(tradeNo)?.digest === digest;
  }

  remember(tradeNo: string, modifiedMs: number, digest: string): void {
    this.byTradeNo.set(tradeNo, { modifiedMs, digest });
  }

  /** Forgets trades modified before `ms`: no window the extractor plans from now on reads them. */
  forgetBefore(ms: number): void {
    for (const [tradeNo, entry] of this.byTradeNo) if (entry.modifiedMs < ms) this.byTradeNo.delete(tradeNo);
  }

  get size(): number {
    return this.byTradeNo.size;
  }
}
