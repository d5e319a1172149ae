import {
  appSignature,
  gatewayEncode,
  gatewayHeaders,
  gatewaySignature,
  javaUrlEncode,
  signatureQuery,
  stringToSign,
} from './xingchen-signer';

// The official vectors of docs/xingchen-api.md (produced by the official SDK's signing methods).
const secret = 'demo-client-secret';
const common = { nonce: '1234567890', timestamp: '1700000000000' };
const appSig = 'ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==';

describe('gateway signer', () => {
  it('reproduces vector 1 (token request with a base64 query value)', () => {
    const input = {
      ...common,
      method: 'GET',
      path: '/jdyconnector/app_management/kingdee_auth_token',
      query: { app_key: 'demoAppKey', app_signature: appSig },
    };
    expect(signatureQuery(input.query)).toBe(
      'app_key=demoAppKey&app_signature=ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ%253D%253D',
    );
    expect(gatewaySignature(input, secret)).toBe(
      'OTk3OGRhMjM3NDdkN2NlYzYyNDVlODc4NDNiMzllNzcxMzg5YTMwN2NhNzIxOTU1YTFlZGNjYzRjOTkyYWUwYQ==',
    );
  });

  it('reproduces vector 2 (POST without query: an empty query line)', () => {
    const input = { ...common, method: 'POST', path: '/jdy/v2/scm/sal_order' };
    expect(stringToSign(input)).toBe(
      'POST\n%2Fjdy%2Fv2%2Fscm%2Fsal_order\n\nx-api-nonce:1234567890\nx-api-timestamp:1700000000000\n',
    );
    expect(gatewaySignature(input, secret)).toBe(
      'OWI5NjkxYjYyNTBiOTM4ZDBhNzRiYzIzNWZhZDZjM2QzNWU0MTBiY2ZiN2Q3OWUxMDRlZjk1MTE0YmJkOTFlZA==',
    );
  });

  it('reproduces vector 3 (space, *, ~, / and CJK in query values; keys sorted)', () => {
    const input = {
      ...common,
      method: 'GET',
      path: '/jdy/v2/scm/sal_order_detail',
      query: { number: 'XSDD-2024 001', a_b: 'x*y~z/中' },
    };
    expect(signatureQuery(input.query)).toBe('a_b=x%2Ay%257Ez%252F%25E4%25B8%25AD&number=XSDD-2024%2B001');
    expect(gatewaySignature(input, secret)).toBe(
      'Mjc3N2UxNzllNzk5YzRmMTFlODIxNTdhOTljNGZlNmFhZmQ4MmM4YTllM2Q2MTllYjZmMzNjZGViZDk4YzM4Yw==',
    );
  });

  it('reproduces the app_signature vector', () => {
    expect(appSignature('abc', 'abc123')).toBe(appSig);
  });

  it('encodes like the gateway and like java.net.URLEncoder', () => {
    expect(gatewayEncode('/a b~*')).toBe('%2Fa+b~%2A');
    expect(javaUrlEncode('a b~*=')).toBe('a+b%7E*%3D');
  });

  it('builds the six gateway headers', () => {
    const headers = gatewayHeaders(
      { ...common, method: 'POST', path: '/jdy/v2/scm/sal_order' },
      { clientId: '100001', clientSecret: secret },
    );
    expect(headers).toEqual({
      'X-Api-ClientID': '100001',
      'X-Api-Auth-Version': '2.0',
      'X-Api-TimeStamp': '1700000000000',
      'X-Api-Nonce': '1234567890',
      'X-Api-SignHeaders': 'X-Api-TimeStamp,X-Api-Nonce',
      'X-Api-Signature':
        'OWI5NjkxYjYyNTBiOTM4ZDBhNzRiYzIzNWZhZDZjM2QzNWU0MTBiY2ZiN2Q3OWUxMDRlZjk1MTE0YmJkOTFlZA==',
    });
  });
});
