import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * The HTTP plumbing both sandboxes (apps/wdt-sandbox, apps/xingchen-sandbox) share: JSON answers,
 * request bodies, a server's listen / close, and a standalone server's signal handling.
 */

/** A JSON answer with its length; `headers` may add headers or replace the content type. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json;charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The request body as UTF-8; fails (and drops the connection) past `maxBytes`. */
export const readBody = (req: IncomingMessage, maxBytes = Number.POSITIVE_INFINITY): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/** Listens and answers the bound port (0 asks for a free one). */
export const listenOn = (server: Server, port: number, host: string): Promise<number> =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });

/** Stops listening and drops every connection, idle or not. */
export const closeServer = (server: Server): Promise<void> =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** The host to put in a URL for a listen address (a wildcard address is reached on loopback). */
export const reachableHost = (host: string): string =>
  host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;

/** A standalone sandbox server stops cleanly on SIGTERM / SIGINT. */
export function closeOnSignals(
  name: string,
  logger: { info(context: object, message: string): void },
  close: () => Promise<void>,
): void {
  const stop = (signal: string) => {
    logger.info({ signal }, `${name} stopping`);
    void close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
