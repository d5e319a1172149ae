import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from '@app/testing';

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

/** A TCP port free on loopback right now (Prometheus takes its listen address on the command line). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Serves `body()` as a Prometheus text exposition at /metrics on a random loopback port. */
export async function startMetricsServer(
  body: () => Promise<string>,
): Promise<{ target: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    body().then(
      (text) =>
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Starts Debian's `prometheus` on a random loopback port, scraping `targets` every second, and waits
 * until every target has been scraped once.
 */
export async function startPrometheus(targets: string[]): Promise<RunningPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erpsync-prometheus-'));
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: erpsync-test',
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // a binary that cannot be spawned (not installed) emits 'error' and never 'exit'
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      spawnError = error;
      resolve();
    });
  });
  const stop = async () => {
    if (child.exitCode === null && !spawnError) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (spawnError)
          throw new Error(
            `prometheus could not be started (${spawnError.message}): install Debian's "prometheus" package`,
          );
        if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
        const response = await fetch(`${url}/api/v1/targets?state=active`);
        const body = (await response.json()) as { data: { activeTargets: { health: string }[] } };
        const active = body.data.activeTargets;
        return active.length === targets.length && active.every((t) => t.health === 'up');
      },
      { timeoutMs: 30000, intervalMs: 200, description: 'prometheus to scrape every target' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
