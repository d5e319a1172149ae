import { type PipelineSnapshot } from '@app/stack';
import { ProgressView } from './progress-view';

const snapshot: PipelineSnapshot = {
  windows: 12,
  tradesFetched: 1999,
  checkpointSeconds: 1_709_251_200,
  mapped: 1900,
  filtered: 50,
  cancelled: 30,
  invalid: 9,
  loader: {
    created: 1800,
    updated: 90,
    unchanged: 10,
    stale: 0,
    cancelled: 30,
    audited: 4,
    rejected: 0,
    failed: 0,
  },
  dlq: 10,
  extractorDeadLetters: 1,
  rawLag: 0,
  replayLag: 0,
  normalizedLag: 3,
  pendingLedger: 0,
  xingchenCalls: 4000,
  wdtCalls: 120,
};

/** A stand-in for process.stdout: what was written, as a terminal of `columns` or as a pipe. */
const stream = (tty: boolean, columns?: number) => {
  const written: string[] = [];
  const out = {
    isTTY: tty,
    columns,
    write: (text: string) => written.push(text),
  } as unknown as NodeJS.WriteStream;
  return { out, text: () => written.join('') };
};
// eslint-disable-next-line no-control-regex
const escapes = /\x1b\[[0-9]*[A-Za-z]/g;

describe('the demo progress view', () => {
  it.each([
    [80, true],
    [50, true],
    [200, false],
  ])(
    'never writes a line wider than a %i-column terminal (cut: %s), and redraws in place',
    (columns, cut) => {
      const { out, text } = stream(true, columns);
      const view = new ProgressView(out, 2000, 'Xingchen v1');
      view.render(snapshot);
      view.render(snapshot, '(idle)');
      const lines = text().replace(escapes, '').split('\n').filter(Boolean);
      expect(lines).toHaveLength(14);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns);
      expect(lines.some((line) => line.endsWith('…'))).toBe(cut);
      expect(text()).toContain('\x1b[7A'); // the second draw moves up over the first's seven lines
    },
  );

  it('uses 80 columns when the terminal does not say', () => {
    const { out, text } = stream(true, undefined);
    new ProgressView(out, 2000).render(snapshot);
    for (const line of text().replace(escapes, '').split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('writes plain lines without escape codes when not a terminal', () => {
    const { out, text } = stream(false);
    new ProgressView(out, 2000).render(snapshot, '(idle)');
    expect(text()).not.toMatch(escapes);
    expect(text()).toMatch(/^\[\d+s\] windows=12 fetched=1999 .* lag\(raw\/norm\)=0\/3 \(idle\)\n$/);
  });
});
