import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

type Reply = Record<string, unknown> & { event: string };

/** Drives bare-kafka-service.js as a child process: one JSON command, one JSON answer. */
export class BareProcess {
  private readonly child: ChildProcess;
  private readonly replies: Reply[] = [];
  private waiting: ((reply: Reply) => void) | undefined;
  private exited = false;

  private constructor(brokers: string[], nodeOptions: string) {
    this.child = spawn(process.execPath, [join(__dirname, 'bare-kafka-service.js'), brokers.join(',')], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: nodeOptions },
    });
    this.child.once('exit', () => {
      this.exited = true;
      this.waiting?.({ event: 'error', message: 'the bare process exited' });
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let reply: Reply;
      try {
        reply = JSON.parse(line) as Reply;
      } catch {
        return;
      }
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve(reply);
      } else this.replies.push(reply);
    });
  }

  /** `nodeOptions`: the services' NODE_OPTIONS, so that both sides run with the same heap limit. */
  static async start(brokers: string[], nodeOptions = ''): Promise<BareProcess> {
    const bare = new BareProcess(brokers, nodeOptions);
    const ready = await bare.next(60_000);
    if (ready.event !== 'ready') throw new Error(`bare process: ${String(ready.message)}`);
    return bare;
  }

  get pid(): number {
    return this.child.pid!;
  }

  private next(timeoutMs: number): Promise<Reply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.exited) return Promise.resolve({ event: 'error', message: 'the bare process exited' });
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`bare process: no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
    });
  }

  async command<T>(command: Record<string, unknown>, timeoutMs: number): Promise<T> {
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    const reply = await this.next(timeoutMs);
    if (reply.event === 'error') throw new Error(`bare process: ${String(reply.message)}`);
    return reply as unknown as T;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end(`${JSON.stringify({ cmd: 'exit' })}\n`);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
