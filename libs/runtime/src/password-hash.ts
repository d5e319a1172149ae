import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scryptAsync = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

/** scrypt's cost as OWASP recommends it for interactive logins (N=2^14, r=8, p=1), 32-byte key. */
const COST = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

/**
 * `scrypt.N.r.p.<salt>.<key>` (base64url): what CONSOLE_USERS holds for a password. No `$`, `:` or
 * `,`, so it survives shells, compose files and the CONSOLE_USERS list as is.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH, { ...COST, maxmem: 64 * 1024 * 1024 });
  return `scrypt.${COST.N}.${COST.r}.${COST.p}.${salt.toString('base64url')}.${key.toString('base64url')}`;
}

/** Whether `password` matches the stored hash (constant time); a malformed hash never matches. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const parts = stored.split('.');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  if (![N, r, p].every(Number.isSafeInteger) || expected.length < 16) return false;
  const key = await scryptAsync(password, salt, expected.length, { N, r, p, maxmem: 256 * 1024 * 1024 });
  return timingSafeEqual(key, expected);
}
