import { ConfigValidationError, loadEnv } from './env-schema';
import { xingchenClientEnv } from './loader.config';

const base = { XINGCHEN_CLIENT_ID: '100001', XINGCHEN_CLIENT_SECRET: 'client-secret' };
const problems = (source: Record<string, string>): string[] => {
  try {
    loadEnv(xingchenClientEnv, source);
    return [];
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
};

describe('xingchenClientEnv: the credentials of the chosen API family', () => {
  it('defaults to v1 and needs the user login there', () => {
    const found = problems(base);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('XINGCHEN_API=v1 needs XINGCHEN_USERNAME and XINGCHEN_PASSWORD');
    const config = loadEnv(xingchenClientEnv, {
      ...base,
      XINGCHEN_USERNAME: 'u',
      XINGCHEN_PASSWORD: 'p',
    });
    expect(config.XINGCHEN_API).toBe('v1');
    expect(config.XINGCHEN_ACCOUNT_ID).toBeUndefined();
  });

  it('names only the missing variables', () => {
    expect(problems({ ...base, XINGCHEN_USERNAME: 'u' })[0]).toMatch(/needs XINGCHEN_PASSWORD \(/);
  });

  it('v2 takes the outer instance id or all three static credentials', () => {
    expect(problems({ ...base, XINGCHEN_API: 'v2', XINGCHEN_OUTER_INSTANCE_ID: 'oi-1' })).toEqual([]);
    expect(
      problems({
        ...base,
        XINGCHEN_API: 'v2',
        XINGCHEN_APP_KEY: 'k',
        XINGCHEN_APP_SECRET: 's',
        XINGCHEN_DOMAIN: 'd',
      }),
    ).toEqual([]);
    const found = problems({ ...base, XINGCHEN_API: 'v2', XINGCHEN_APP_KEY: 'k' });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('XINGCHEN_OUTER_INSTANCE_ID');
    expect(found[0]).toContain('missing: XINGCHEN_APP_SECRET, XINGCHEN_DOMAIN');
  });

  it('reports a bad family and the other variables in the same message', () => {
    const found = problems({ XINGCHEN_API: 'v3' });
    expect(found.some((p) => p.startsWith('XINGCHEN_API must be one of v1, v2'))).toBe(true);
    expect(found.some((p) => p.startsWith('XINGCHEN_CLIENT_ID is required'))).toBe(true);
  });
});
