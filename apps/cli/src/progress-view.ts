import { type PipelineSnapshot } from '@app/stack';

/** A line cut to `width` columns (with an ellipsis), so a terminal never wraps it. */
export function fitLine(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Live progress: on a terminal a redrawn table, each line cut to the terminal's width (a wrapped
 * line would break the redraw); otherwise a plain line (no escape codes) every few seconds.
 */
export class ProgressView {
  private lastPlainAt = 0;
  private drawnLines = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly totalTrades: number,
    /** Shown in the header, e.g. the Xingchen API family. */
    private readonly title = '',
  ) {}

  render(snapshot: PipelineSnapshot, note = ''): void {
    const elapsed = Math.round((Date.now() - this.startedAt) / 1000);
    const l = snapshot.loader;
    // the extractor's dead letters never reach the transformer: they are handled too
    const handled =
      snapshot.mapped +
      snapshot.filtered +
      snapshot.cancelled +
      snapshot.invalid +
      snapshot.extractorDeadLetters;
    const checkpoint =
      snapshot.checkpointSeconds > 0
        ? new Date(snapshot.checkpointSeconds * 1000).toISOString().replace('.000', '')
        : '—';
    if (!this.out.isTTY) {
      if (Date.now() - this.lastPlainAt < 5000 && !note) return;
      this.lastPlainAt = Date.now();
      this.out.write(
        `[${elapsed}s] windows=${snapshot.windows} fetched=${snapshot.tradesFetched} extractor-dead-letters=${snapshot.extractorDeadLetters} mapped=${snapshot.mapped} filtered=${snapshot.filtered} cancelled=${snapshot.cancelled} invalid=${snapshot.invalid} ` +
          `created=${l.created} updated=${l.updated} unchanged=${l.unchanged} rejected=${l.rejected} failed=${l.failed} lag(raw/norm)=${snapshot.rawLag}/${snapshot.normalizedLag} ${note}`.trimEnd() +
          '\n',
      );
      return;
    }
    const bar = (done: number, total: number, width = 30) => {
      const ratio = total > 0 ? Math.min(1, done / total) : 0;
      return `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ${String(Math.round(ratio * 100)).padStart(3)}%`;
    };
    const lines = [
      `erpsync demo${this.title ? ` (${this.title})` : ''} — ${elapsed}s ${note}`,
      `  extractor    windows ${snapshot.windows}, trades fetched ${snapshot.tradesFetched} (WDT has ${this.totalTrades}), dead letters ${snapshot.extractorDeadLetters}, checkpoint ${checkpoint}`,
      `               ${bar(snapshot.tradesFetched, this.totalTrades)}   WDT calls ${snapshot.wdtCalls}`,
      `  transformer  mapped ${snapshot.mapped}, filtered ${snapshot.filtered}, cancelled ${snapshot.cancelled}, invalid ${snapshot.invalid} (+${snapshot.extractorDeadLetters} dead-lettered by the extractor)   lag ${snapshot.rawLag} (+replay ${snapshot.replayLag})`,
      `               ${bar(handled, snapshot.tradesFetched)}`,
      `  loader       created ${l.created}, updated ${l.updated}, unchanged ${l.unchanged}, stale ${l.stale}, cancelled ${l.cancelled}, audited ${l.audited ?? 0}, rejected ${l.rejected}, failed ${l.failed}   lag ${snapshot.normalizedLag}`,
      `               Xingchen calls ${snapshot.xingchenCalls}, dead letters ${snapshot.dlq}, pending intents ${snapshot.pendingLedger}`,
    ];
    const width = this.out.columns || 80;
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A`);
    this.out.write(lines.map((line) => `\x1b[2K${fitLine(line.trimEnd(), width)}`).join('\n') + '\n');
    this.drawnLines = lines.length;
  }
}
