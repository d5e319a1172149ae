import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Runs the extractor's backfill for a WDT range (Beijing time) and answers its final counts. */
export interface ResyncRunner {
  run(range: { from: string; to: string }, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/**
 * The extractor's own backfill (`scripts/start.js extractor backfill`), as `./erpsync resync` runs it,
 * in a child process with the console's environment (the same Kafka, database and WDT settings; the
 * live checkpoint is not moved). Its last stdout line is the JSON result.
 */
export class ExtractorBackfillRunner implements ResyncRunner {
  constructor(
    private readonly repoRoot: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  run(range: { from: string; to: string }, signal: AbortSignal): Promise<Record<string, unknown>> {
    const child = spawn(
      process.execPath,
      [
        join(this.repoRoot, 'scripts', 'start.js'),
        'extractor',
        'backfill',
        '--from',
        range.from,
        '--to',
        range.to,
      ],
      { env: { ...this.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'], signal },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = `${stderr}${chunk.toString('utf8')}`.slice(-4000)));
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => {
        const last = stdout.trim().split('\n').at(-1) ?? '';
        if (code === 0) {
          try {
            resolve(JSON.parse(last) as Record<string, unknown>);
            return;
          } catch {
            // fall through: an exit 0 without its result line is a failure too
          }
        }
        const lastError = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(
          new Error(`the extractor's backfill exited with ${code}: ${lastError || last || 'no output'}`),
        );
      });
    });
  }
}
