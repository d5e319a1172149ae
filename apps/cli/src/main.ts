import { ConfigValidationError } from '@app/config';
import { MappingConfigError } from '@app/mapping';
import { runCli } from './cli';

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // runCli maps every error it knows; this is the last line of defence
    const known = error instanceof ConfigValidationError || error instanceof MappingConfigError;
    process.stderr.write(
      `erpsync: ${error instanceof Error ? (known ? error.message : (error.stack ?? error.message)) : String(error)}\n`,
    );
    process.exit(known ? 2 : 3);
  },
);
