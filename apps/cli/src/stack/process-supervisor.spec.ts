import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
