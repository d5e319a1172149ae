import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@app/testing';
import { ProcessSupervisor } from './process-supervisor';

describe('ProcessSupervisor', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'supervisor-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const idle = ['-e', 'setInterval(() => undefined, 1000)'];

  it('stops a restarted service too: stopAll stops every process it started, not one per name', async () => {
    const supervisor = new ProcessSupervisor(join(dir, 'logs'), join(dir, 'pids'));
    const first = supervisor.start('loader', process.execPath, idle, {});
    first.child.kill('SIGKILL');
    await first.exited;
    const second = supervisor.start('loader', process.execPath, idle, {});
    expect(supervisor.get('loader')?.pid).toBe(second.pid);

    await supervisor.stopAll(5000);

    expect(second.exitCode).not.toBeUndefined();
    expect(second.child.signalCode).toBe('SIGTERM');
  });

  it('keeps what a process writes to stderr after its stdout has closed (a crash message, say)', async () => {
    const supervisor = new ProcessSupervisor(join(dir, 'logs'), join(dir, 'pids'));
    const script = [
      "process.stdout.write('first line\\n', () => {",
      '  require("node:fs").closeSync(1);',
      "  setTimeout(() => process.stderr.write('late line\\n'), 200);",
      '});',
    ].join('\n');
    const managed = supervisor.start('late-writer', process.execPath, ['-e', script], {});
    await managed.exited;
    await waitForText(managed.logFile, 'late line');

    expect(readFileSync(managed.logFile, 'utf8')).toBe('first line\nlate line\n');
  });
});

/** The supervisor's log file is written by a stream: wait until it holds `text`. */
async function waitForText(file: string, text: string): Promise<void> {
  await waitFor(() => readFileSync(file, 'utf8').includes(text), {
    description: `${file} to contain "${text}"`,
  });
}
