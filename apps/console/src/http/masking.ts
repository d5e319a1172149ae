/**
 * Buyer phone numbers and addresses in payloads shown by the console, masked by default: a key that
 * names a phone or an address (WDT's receiver_mobile, receiver_telno, receiver_address, buyer_nick's
 * neighbours …, Xingchen's contact fields) keeps only its first and last characters, and a value that
 * looks like a mainland mobile number is masked wherever it appears.
 */
const SENSITIVE_KEY =
  /(mobile|phone|tel(no)?$|telephone|address|addr$|receiver_(name|area|dtb|zip)|contact_?(phone|tel|address|person)|buyer_(message|nick)|id_?card|email)/i;
const MOBILE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;

export function maskText(value: string): string {
  const chars = [...value];
  if (chars.length <= 2) return '*'.repeat(chars.length);
  const keep = chars.length >= 8 ? 2 : 1;
  return `${chars.slice(0, keep).join('')}${'*'.repeat(chars.length - 2 * keep)}${chars.slice(-keep).join('')}`;
}

/** A copy of `value` with sensitive fields masked (numbers under a sensitive key become masked text). */
export function maskPersonalData(value: unknown, sensitive = false): unknown {
  if (Array.isArray(value)) return value.map((item) => maskPersonalData(item, sensitive));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        maskPersonalData(item, sensitive || SENSITIVE_KEY.test(key)),
      ]),
    );
  }
  if (typeof value === 'string') return sensitive ? maskText(value) : value.replace(MOBILE, '$1****$2');
  if (typeof value === 'number' && sensitive) return maskText(String(value));
  return value;
}

/** A body kept as text: parsed when it is JSON (then masked field by field), else masked as text. */
export function bodyView(text: string | null, reveal: boolean): unknown {
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return reveal ? text : text.replace(MOBILE, '$1****$2');
  }
  return reveal ? parsed : maskPersonalData(parsed);
}
