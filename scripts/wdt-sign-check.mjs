#!/usr/bin/env node
// Independent check of the WDT signing algorithms against the WDT sandbox, written from the contract
// (docs wdt-api.md) as a new user would: plain Node, no erpsync code. It signs with the sandbox's
// documented default credentials, expects data back on both routes, then tampers with every
// parameter one at a time and expects the signature error.
//
//   node scripts/wdt-sign-check.mjs [--url http://127.0.0.1:18080]
// Exit code 0 when every check passes, 1 otherwise. Prints one line per check.
import { createHash } from 'node:crypto';

const args = process.argv.slice(2);
const url = (args.includes('--url') ? args[args.indexOf('--url') + 1] : 'http://127.0.0.1:18080').replace(
  /\/$/,
  '',
);

// documented defaults of the WDT sandbox (docs/wdt.md)
const SID = 'erpsync-sandbox';
const APPKEY = 'erpsync-appkey';
const APPSECRET = 'erpsync-appsecret';
const QIMEN_APP_KEY = '23000001';
const QIMEN_SECRET = 'erpsync-qimen-secret';
const TARGET_APP_KEY = '21363512';

const md5 = (s) => createHash('md5').update(Buffer.from(s, 'utf8')).digest('hex');

// Qimen: UPPER(md5(secret + concat(sorted key+value, empties and "sign" skipped) + secret))
function qimenSign(params, secret) {
  const keys = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== '')
    .sort();
  let s = secret;
  for (const k of keys) s += k + params[k];
  return md5(s + secret).toUpperCase();
}

// native: lower(md5(join(';', "%02d-key:%04d-value" sorted by key, lengths in characters) + secret))
function nativeSign(params, secret) {
  const pad = (n, w) => {
    let t = String(n);
    while (t.length < w) t = '0' + t;
    return t;
  };
  const len = (s) => Array.from(s).length;
  const parts = [];
  for (const k of Object.keys(params)
    .filter((k) => k !== 'sign')
    .sort()) {
    parts.push(pad(len(k), 2) + '-' + k + ':' + pad(len(params[k]), 4) + '-' + params[k]);
  }
  return md5(parts.join(';') + secret);
}

function beijing(ms) {
  const d = new Date(ms + 8 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

async function post(path, query, body) {
  const target = query ? `${url}${path}?${new URLSearchParams(query)}` : `${url}${path}`;
  const response = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body ? new URLSearchParams(body).toString() : '',
  });
  return response.json();
}

let failures = 0;
const check = (ok, text) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${text}`);
  if (!ok) failures++;
};

const now = Date.now();
const business = {
  start_time: beijing(now - 3600 * 1000),
  end_time: beijing(now),
  page_no: '0',
  page_size: '5',
};
// tampering these is refused before the signature is even checked (unknown key, method …)
const IDENTITY = new Set(['app_key', 'target_app_key', 'method', 'sign_method', 'appkey']);

// ---- Qimen route ----
const qimen = {
  method: 'wdt.trade.query',
  app_key: QIMEN_APP_KEY,
  target_app_key: TARGET_APP_KEY,
  sid: SID,
  timestamp: beijing(now),
  format: 'json',
  v: '2.0',
  sign_method: 'md5',
  ...business,
};
const qimenOk = await post('/router/qm', { ...qimen, sign: qimenSign(qimen, QIMEN_SECRET) });
check(
  qimenOk?.response?.code === 0 &&
    typeof qimenOk.response.total_count === 'number' &&
    Array.isArray(qimenOk.response.trades),
  `qimen: signed request answered code 0 with total_count=${qimenOk?.response?.total_count}`,
);
for (const key of Object.keys(qimen)) {
  const tampered = { ...qimen, sign: qimenSign(qimen, QIMEN_SECRET) };
  tampered[key] =
    key === 'page_no' || key === 'page_size' ? String(Number(qimen[key]) + 1) : `${qimen[key]}x`;
  if (key === 'timestamp') tampered[key] = beijing(now - 60 * 1000); // still within the skew: only the sign is wrong
  const answer = await post('/router/qm', tampered);
  const rejected = IDENTITY.has(key)
    ? answer?.response?.flag === 'failure'
    : answer?.response?.sub_code === 'sign-check-failure';
  check(
    rejected,
    `qimen: tampered ${key} rejected (${answer?.response?.sub_code ?? answer?.response?.code})`,
  );
}
const wrongSecret = await post('/router/qm', { ...qimen, sign: qimenSign(qimen, 'not-the-secret') });
check(
  wrongSecret?.response?.sub_code === 'sign-check-failure',
  'qimen: wrong secret gives sign-check-failure',
);

// ---- native route ----
const native = { sid: SID, appkey: APPKEY, timestamp: String(Math.floor(now / 1000)), ...business };
const nativeOk = await post('/openapi2/trade_query.php', null, {
  ...native,
  sign: nativeSign(native, APPSECRET),
});
check(
  nativeOk?.code === 0 && Array.isArray(nativeOk.trades),
  `native: signed request answered code 0 with total_count=${nativeOk?.total_count}`,
);
const chinese = { ...native, shop_no: '店铺01' };
const chineseOk = await post('/openapi2/trade_query.php', null, {
  ...chinese,
  sign: nativeSign(chinese, APPSECRET),
});
check(chineseOk?.code === 0, 'native: Chinese parameter value signed with character lengths accepted');
for (const key of Object.keys(native)) {
  const tampered = { ...native, sign: nativeSign(native, APPSECRET) };
  tampered[key] =
    key === 'timestamp'
      ? String(Number(native.timestamp) - 60)
      : key === 'page_no' || key === 'page_size'
        ? String(Number(native[key]) + 1)
        : `${native[key]}x`;
  const answer = await post('/openapi2/trade_query.php', null, tampered);
  const rejected = answer?.code === 100 && (IDENTITY.has(key) || /sign/.test(answer.message));
  check(rejected, `native: tampered ${key} rejected (code ${answer?.code}: ${answer?.message})`);
}
const signAnswer = await post('/openapi2/trade_query.php', null, {
  ...native,
  sign: nativeSign(native, 'wrong'),
});
check(
  signAnswer?.code === 100 && /sign/.test(signAnswer.message),
  'native: wrong secret gives the sign error',
);

console.log(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
