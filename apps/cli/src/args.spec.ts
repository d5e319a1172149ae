import { commandHelp, parseCommandArgs, UsageError, type CommandSpec } from './args';
import { env } from '@app/config';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'the demo',
  options: {
    once: { type: 'boolean', describe: 'until idle' },
    out: { type: 'string', value: 'DIR', default: 'out/demo', describe: 'where' },
    trades: { type: 'string', value: 'N', default: '2000', describe: 'how many' },
  },
  env: { KAFKA_BROKERS: env.list({ default: ['127.0.0.1:9092'] }), SECRET_URL: env.url({ secret: true }) },
  run: async () => 0,
};

const refused = (argv: string[]) => {
  try {
    parseCommandArgs(spec, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('command-line arguments (node:util parseArgs, strict)', () => {
  it('reads flags and valued options in both spellings', () => {
    expect(parseCommandArgs(spec, ['--once', '--out', 'out/run', '--trades=300'])).toEqual({
      command: 'demo',
      options: { once: true, out: 'out/run', trades: '300' },
      positional: [],
    });
  });

  it('refuses a stray word after a flag, bare words, unknown options and a missing value, in one line', () => {
    expect(refused(['--once', 'fast'])).toBe("demo: unexpected word 'fast' (every option starts with --)");
    expect(refused(['trades', '5'])).toMatch(/^demo: unexpected word 'trades'/);
    expect(refused(['--trade', '5'])).toBe('demo: unknown option --trade');
    expect(refused(['--out'])).toMatch(/^demo: Option '--out <value>' argument missing/);
    expect(refused(['--out', '--once'])).toMatch(/^demo: .*--out/);
    expect(refused(['--once=yes'])).toMatch(/^demo: Option '--once' does not take an argument/);
    for (const argv of [['--once', 'fast'], ['--trade', '5'], ['--out']])
      expect(refused(argv)).not.toContain('\n');
  });

  it('answers help for --help and -h wherever they stand', () => {
    expect(parseCommandArgs(spec, ['--help'])).toBe('help');
    expect(parseCommandArgs(spec, ['--once', '-h'])).toBe('help');
  });

  it("shows usage, every option with its default, the schema's environment (secrets not shown) and the exit codes", () => {
    const help = commandHelp(spec);
    expect(help).toContain('usage: ./erpsync demo [--once] [--out DIR] [--trades N]');
    expect(help).toMatch(/--out DIR\s+where \(default: out\/demo\)/);
    expect(help).toMatch(/KAFKA_BROKERS\s+default 127\.0\.0\.1:9092/);
    expect(help).toMatch(/SECRET_URL\s+required/);
    expect(help).toContain('exit codes: 0 clean, 1 ran but the result is not clean, 2 wrong command line');
  });
});
