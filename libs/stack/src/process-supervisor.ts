import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ManagedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
  exitCode: number | null | undefined;
  /** Set when the supervisor itself stopped it: such an exit is not a crash. */
  stopRequested: boolean;
}

/**
 * Starts the pipeline's processes, logs each to its own file, remembers their PIDs and stops exactly
 * those (SIGTERM, then SIGKILL after a grace period).
 */
export class ProcessSupervisor {
  private readonly processes: ManagedProcess[] = [];

  constructor(
    private readonly logDir: string,
    private readonly pidFile: string,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  start(name: string, command: string, args: string[], env: Record<string, string>): ManagedProcess {
    const logFile = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // both streams share one file: neither may end it, or the other's late output is a write after end
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('close', () => log.end());
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    const managed: ManagedProcess = {
      name,
      pid: child.pid,
      child,
      logFile,
      exitCode: undefined,
      stopRequested: false,
      exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    };
    void managed.exited.then((code) => (managed.exitCode = code));
    this.processes.push(managed);
    this.writePids();
    return managed;
  }

  /** The most recent process started under this name (a restarted service has several). */
  get(name: string): ManagedProcess | undefined {
    return [...this.processes].reverse().find((p) => p.name === name);
  }

  /** A process that exited although nobody asked it to. */
  crashed(): ManagedProcess | undefined {
    return this.processes.find((p) => p.exitCode !== undefined && !p.stopRequested);
  }

  async stop(name: string, graceMs = 20000): Promise<void> {
    const managed = this.get(name);
    if (managed) await this.stopProcess(managed, graceMs);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  async stopProcess(
    managed: ManagedProcess,
    graceMs = 20000,
    signal: NodeJS.Signals = 'SIGTERM',
  ): Promise<void> {
    if (managed.exitCode !== undefined) return;
    managed.stopRequested = true;
    managed.child.kill(signal);
    const timer = setTimeout(() => managed.child.kill('SIGKILL'), graceMs);
    await managed.exited;
    clearTimeout(timer);
    this.writePids();
  }

  /** Stops everything, in reverse start order (services before the sandboxes they call). */
  async stopAll(graceMs = 20000): Promise<void> {
    // every process started, restarted ones included (stopping by name would miss all but one)
    for (const managed of [...this.processes].reverse()) await this.stopProcess(managed, graceMs);
    this.writePids();
  }

  private writePids(): void {
    const alive = this.processes.filter((p) => p.exitCode === undefined).map((p) => `${p.pid} ${p.name}`);
    writeFileSync(this.pidFile, alive.length ? `${alive.join('\n')}\n` : '');
  }
}
