import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The gateway's side of the X-Api-Signature check, written for the sandbox on its own (not the
 * client's signer), so that the client and the sandbox check each other.
 */

const hex = (byte: number) => '%' + byte.toString(16).toUpperCase().padStart(2, '0');

function encodeBytes(text: string, keep: (char: string) => boolean): string {
  const bytes = new TextEncoder().encode(text);
  let result = '';
  for (const byte of bytes) {
    const char = byte < 128 ? String.fromCharCode(byte) : '';
    if (char && keep(char)) result += char;
    else if (char === ' ') result += '+';
    else result += hex(byte);
  }
  return result;
}

const alnum = (c: string) => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
const gatewayEnc = (text: string) => encodeBytes(text, (c) => alnum(c) || '-_.~'.includes(c));
const javaEnc = (text: string) => encodeBytes(text, (c) => alnum(c) || '-_.*'.includes(c));

export function canonicalRequest(
  method: string,
  path: string,
  query: Array<[string, string]>,
  signedHeaders: Array<[string, string]>,
): string {
  const queryLine = query
    .map(([k, v]) => gatewayEnc(k) + '=' + javaEnc(v))
    .sort()
    .map((pair) => {
      const eq = pair.indexOf('=');
      return gatewayEnc(pair.substring(0, eq)) + '=' + gatewayEnc(pair.substring(eq + 1));
    })
    .join('&');
  const headerLines = [...signedHeaders]
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value}\n`)
    .join('');
  return `${method.toUpperCase()}\n${gatewayEnc(path)}\n${queryLine}\n${headerLines}`;
}

export const signHex64 = (secret: string, text: string): string =>
  Buffer.from(createHmac('sha256', secret).update(text).digest('hex')).toString('base64');

export const sameSignature = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export type GatewayVerdict = { ok: true } | { ok: false; code: number; description: string };

const MAX_SKEW_MS = 5 * 60 * 1000;

/** Checks the six gateway headers of a request (names lowercased, as node gives them). */
export function verifyGatewayRequest(
  request: {
    method: string;
    path: string;
    query: Array<[string, string]>;
    headers: Record<string, string | undefined>;
  },
  credentials: { clientId: string; clientSecret: string },
  now: number,
): GatewayVerdict {
  const h = request.headers;
  const clientId = h['x-api-clientid'];
  if (!clientId) return { ok: false, code: 4002, description: 'client id 为空' };
  if (clientId !== credentials.clientId) return { ok: false, code: 4003, description: 'client id 无效' };
  if (h['x-api-auth-version'] !== '2.0')
    return { ok: false, code: 4007, description: 'X-Api-Auth-Version 无效' };
  const signHeaders = (h['x-api-signheaders'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (!signHeaders.includes('x-api-timestamp') || !signHeaders.includes('x-api-nonce')) {
    return { ok: false, code: 4007, description: 'X-Api-SignHeaders 无效' };
  }
  const timestamp = h['x-api-timestamp'] ?? '';
  if (!/^\d{13}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > MAX_SKEW_MS) {
    return { ok: false, code: 4006, description: 'timestamp 无效' };
  }
  const signed: Array<[string, string]> = [];
  for (const name of signHeaders) {
    const value = h[name];
    if (value === undefined) return { ok: false, code: 4007, description: `签名头 ${name} 缺失` };
    signed.push([name, value]);
  }
  const expected = signHex64(
    credentials.clientSecret,
    canonicalRequest(request.method, request.path, request.query, signed),
  );
  if (!sameSignature(expected, h['x-api-signature'] ?? ''))
    return { ok: false, code: 4008, description: '签名无效' };
  return { ok: true };
}
