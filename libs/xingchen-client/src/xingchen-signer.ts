import { createHmac } from 'node:crypto';

/**
 * The Kingdee API gateway signature (X-Api-Auth-Version 2.0), as the official Java SDK
 * `apigwclient` computes it. See docs/xingchen-api.md for the algorithm and the test vectors.
 */

const GATEWAY_SAFE = /[A-Za-z0-9\-_.~]/;
/** `java.net.URLEncoder` (UTF-8) leaves these unencoded; `~` is encoded, `*` is not. */
const JAVA_SAFE = /[A-Za-z0-9\-_.*]/;

const percentEncode = (value: string, safe: RegExp): string => {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && safe.test(char)) out += char;
    else if (char === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
};

/** The gateway's own encoder: `/` → %2F, uppercase hex, space → `+`, safe: A-Z a-z 0-9 - _ . ~ */
export const gatewayEncode = (value: string): string => percentEncode(value, GATEWAY_SAFE);

/** `java.net.URLEncoder.encode(value, "UTF-8")`. */
export const javaUrlEncode = (value: string): string => percentEncode(value, JAVA_SAFE);

export type QueryParams = Readonly<Record<string, string>>;

/** The query line of the string to sign (empty when there is no query). */
export function signatureQuery(query: QueryParams): string {
  return Object.entries(query)
    .map(([key, value]) => `${gatewayEncode(key)}=${javaUrlEncode(value)}`)
    .sort()
    .map((pair) => {
      const at = pair.indexOf('=');
      return `${gatewayEncode(pair.slice(0, at))}=${gatewayEncode(pair.slice(at + 1))}`;
    })
    .join('&');
}

export interface SignInput {
  method: string;
  path: string;
  query?: QueryParams;
  nonce: string;
  timestamp: string;
}

/** The string to sign: every line ends with `\n`, the last one included. */
export function stringToSign(input: SignInput): string {
  return (
    [
      input.method.toUpperCase(),
      gatewayEncode(input.path),
      signatureQuery(input.query ?? {}),
      `x-api-nonce:${input.nonce}`,
      `x-api-timestamp:${input.timestamp}`,
    ].join('\n') + '\n'
  );
}

/** base64 of the lowercase hex HMAC-SHA256 (not of the raw digest). */
export const hmacHexBase64 = (key: string, message: string): string =>
  Buffer.from(createHmac('sha256', key).update(message, 'utf8').digest('hex'), 'utf8').toString('base64');

/** `X-Api-Signature`. */
export const gatewaySignature = (input: SignInput, clientSecret: string): string =>
  hmacHexBase64(clientSecret, stringToSign(input));

/** `app_signature` of the token request: HMAC-SHA256(key = app_secret, message = app_key). */
export const appSignature = (appKey: string, appSecret: string): string => hmacHexBase64(appSecret, appKey);

export const SIGN_HEADERS = 'X-Api-TimeStamp,X-Api-Nonce';
export const AUTH_VERSION = '2.0';

/** The six gateway headers of one request. */
export function gatewayHeaders(
  input: SignInput,
  credentials: { clientId: string; clientSecret: string },
): Record<string, string> {
  return {
    'X-Api-ClientID': credentials.clientId,
    'X-Api-Auth-Version': AUTH_VERSION,
    'X-Api-TimeStamp': input.timestamp,
    'X-Api-Nonce': input.nonce,
    'X-Api-SignHeaders': SIGN_HEADERS,
    'X-Api-Signature': gatewaySignature(input, credentials.clientSecret),
  };
}
