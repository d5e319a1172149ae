import * as http from 'node:http';
import * as https from 'node:https';
import { type TransportFailure } from './xingchen-errors';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** No HTTP answer: timed out or the connection failed; `sent` tells whether the request left completely. */
export class TransportFailureError extends Error implements TransportFailure {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'network',
    readonly sent: boolean,
  ) {
    super(message);
    this.name = 'TransportFailureError';
  }
}

export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/** node:http(s) with keep-alive; knows whether a failed request had been sent (ambiguous saves). */
export function createHttpTransport(options: { maxSockets: number }): HttpTransport & { close(): void } {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: options.maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: options.maxSockets }),
  };
  const transport = (request: HttpRequest): Promise<HttpResponse> =>
    new Promise((resolve, reject) => {
      const url = new URL(request.url);
      const lib = url.protocol === 'https:' ? https : http;
      const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
      let sent = false;
      let settled = false;
      const fail = (error: TransportFailureError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const req = lib.request(
        url,
        {
          method: request.method,
          agent,
          headers: {
            ...request.headers,
            ...(request.body !== undefined
              ? { 'Content-Length': String(Buffer.byteLength(request.body)) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => fail(new TransportFailureError(error.message, 'network', true)));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            const headers: Record<string, string | undefined> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              headers[name] = Array.isArray(value) ? value[0] : value;
            }
            resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      const timer = setTimeout(() => {
        fail(new TransportFailureError(`no answer within ${request.timeoutMs} ms`, 'timeout', sent));
        req.destroy();
      }, request.timeoutMs);
      req.on('finish', () => {
        sent = true;
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        const neverConnected =
          error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN';
        fail(new TransportFailureError(error.code ?? error.message, 'network', sent && !neverConnected));
      });
      req.end(request.body);
    });
  return Object.assign(transport, {
    close: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  });
}
