/**
 * Preloaded into a service by `npm run bench -- --profile DIR` (`node -r …`; Node refuses
 * `--cpu-prof` in NODE_OPTIONS): samples the CPU from start-up and writes
 * `DIR/<service>-<pid>.cpuprofile` (open it in Chrome DevTools or speedscope) when the service gets
 * SIGTERM or exits. Nest re-raises SIGTERM after its shutdown hooks, which ends the process without an
 * `exit` event, hence the signal listener.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const directory = process.env.CPU_PROFILE_DIR ?? 'cpu-profiles';
const service = process.argv[2] ?? 'process';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');

let written = false;
function writeProfile(): void {
  if (written) return;
  written = true;
  // an in-process inspector session answers synchronously, so this works inside an `exit` listener
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, `${service}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
}
process.on('exit', writeProfile);
process.prependListener('SIGTERM', writeProfile);
