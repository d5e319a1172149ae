import { createHmac } from 'node:crypto';

/**
 * A from-scratch implementation of the Kingdee gateway signature, written from
 * docs/xingchen-api.md alone as a new user would (no code shared with @app/xingchen-client or
 * the sandbox): encodeURIComponent plus the documented differences.
 */

/** Gateway encoding: like encodeURIComponent, but `!'()*` encoded too and space as `+`. */
export const enc = (s: string): string =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');

/** java.net.URLEncoder: `*` stays, `~` is encoded, space as `+`. */
export const javaEncode = (s: string): string =>
  encodeURIComponent(s)
    .replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%2A/g, '*')
    .replace(/%20/g, '+');

export function signRequest(args: {
  method: string;
  path: string;
  query: Record<string, string>;
  clientId: string;
  clientSecret: string;
  timestamp?: string;
  nonce?: string;
}): Record<string, string> {
  const timestamp = args.timestamp ?? String(Date.now());
  const nonce = args.nonce ?? String(Math.floor(Math.random() * 9e9) + 1e9);
  const sortedPairs = Object.keys(args.query)
    .map((k) => `${enc(k)}=${javaEncode(args.query[k])}`)
    .sort();
  const queryLine = sortedPairs
    .map((p) => {
      const [k, ...rest] = p.split('=');
      return `${enc(k)}=${enc(rest.join('='))}`;
    })
    .join('&');
  const text = `${args.method}\n${enc(args.path)}\n${queryLine}\nx-api-nonce:${nonce}\nx-api-timestamp:${timestamp}\n`;
  const hexDigest = createHmac('sha256', args.clientSecret).update(text, 'utf8').digest('hex');
  return {
    'X-Api-ClientID': args.clientId,
    'X-Api-Auth-Version': '2.0',
    'X-Api-TimeStamp': timestamp,
    'X-Api-Nonce': nonce,
    'X-Api-SignHeaders': 'X-Api-TimeStamp,X-Api-Nonce',
    'X-Api-Signature': Buffer.from(hexDigest).toString('base64'),
  };
}

export const appSignatureOf = (appKey: string, appSecret: string): string =>
  Buffer.from(createHmac('sha256', appSecret).update(appKey).digest('hex')).toString('base64');

export const toQueryString = (query: Record<string, string>): string =>
  Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
