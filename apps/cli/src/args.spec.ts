import { checkKnownOptions, intOption, parseArgs, UsageError } from './args';

describe('command-line arguments', () => {
  it('reads a command, valued options in both spellings and flags', () => {
    const args = parseArgs(['demo', '--once', '--out', 'out/run', '--trades=300', '--mapping', 'm.yaml']);
    expect(args).toEqual({
      command: 'demo',
      options: { once: true, out: 'out/run', trades: '300', mapping: 'm.yaml' },
      positional: [],
    });
    expect(intOption(args, 'trades', 10)).toBe(300);
  });

  it('rejects unknown options and non-numeric numbers with a message naming them', () => {
    const args = parseArgs(['demo', '--trade', 'x']);
    expect(() => checkKnownOptions(args, ['trades'])).toThrow(
      new UsageError('unknown option(s): --trade (known: --trades)'),
    );
    expect(() => intOption(parseArgs(['demo', '--trades', 'many']), 'trades', 1)).toThrow(
      '--trades must be a whole number, got "many"',
    );
  });
});
