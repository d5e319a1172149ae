import { type MasterDataFixture } from './master-data';

/** Defaults of the sandbox's credentials and settings (documented in docs/xingchen.md). */
export const SANDBOX_DEFAULTS = {
  port: 18081,
  /** The developer app: both families authenticate the same client id / secret. */
  clientId: '100001',
  clientSecret: 'sandbox-client-secret',
  /** V1 login (`/auth/user/access_token`). */
  username: 'sandbox-user',
  password: 'sandbox-password',
  /** The default account set, served by both families. */
  accountId: '1000000001',
  groupName: 'sandbox-group',
  accountName: '沙箱账套',
  /** V2 authorisation of the default account set. */
  appKey: 'sandboxAppKey',
  appSecret: 'sandbox-app-secret',
  domain: 'sandbox.jdy.local',
  outerInstanceId: 'sandbox-outer-instance',
  /** 0 = the V2 app_secret never rotates. */
  secretRotationSeconds: 0,
  v1TokenTtlSeconds: 7200,
} as const;

/** An account set a V1 login can select (`accountId` + `groupName` headers). */
export interface AccountSet {
  accountId: string;
  groupName: string;
  accountName?: string;
}

/** Faults and limits, settable at start and with `POST /__sandbox/faults`. */
export interface SandboxFaults {
  /** Added to every API answer. */
  latencyMs: number;
  /** Extra latency of a save (both families), uniform in [min, max]. */
  saveLatencyMs: { min: number; max: number };
  /** Fraction of business calls answered 519/5003 before doing anything. */
  errorRate: number;
  /** Fraction of saves applied and then never answered (the ambiguous case). */
  timeoutAfterApplyRate: number;
  /** Fraction of saves applied and then answered 519/5000. */
  errorAfterApplyRate: number;
  /** Per-account-set quota of business calls, both families together (429 beyond it); 0 = unlimited. */
  rateLimitPerMinute: number;
  /** Lifetime of issued V2 app-tokens. */
  tokenTtlSeconds: number;
  /** Lifetime of issued V1 access tokens. */
  v1TokenTtlSeconds: number;
  /** Quota of the V2 token endpoint and, separately, of the V1 login (429 beyond it); 0 = unlimited. */
  tokenRateLimitPerMinute: number;
}

export const DEFAULT_FAULTS: SandboxFaults = {
  latencyMs: 0,
  saveLatencyMs: { min: 0, max: 0 },
  errorRate: 0,
  timeoutAfterApplyRate: 0,
  errorAfterApplyRate: 0,
  rateLimitPerMinute: 500,
  tokenTtlSeconds: 86400,
  v1TokenTtlSeconds: SANDBOX_DEFAULTS.v1TokenTtlSeconds,
  tokenRateLimitPerMinute: 60,
};

export type FaultsPatch = Partial<Omit<SandboxFaults, 'saveLatencyMs'>> & {
  saveLatencyMs?: SandboxFaults['saveLatencyMs'] | number | [number, number];
};

export interface XingchenSandboxOptions {
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  accountId?: string;
  groupName?: string;
  /** More V1 account sets (own orders, same master data); the default one comes first. */
  extraAccountSets?: AccountSet[];
  appKey?: string;
  /** The first V2 app_secret; later ones are derived from it at each rotation. */
  appSecret?: string;
  domain?: string;
  outerInstanceId?: string;
  /** Rotate the V2 app_secret every N seconds; 0 = never. */
  secretRotationSeconds?: number;
  /** Master data, or the path of a fixture file; default: generated from @app/sandbox-catalog. */
  fixture?: MasterDataFixture | string;
  faults?: FaultsPatch;
  now?: () => number;
  random?: () => number;
}

const latencyRange = (save: unknown): SandboxFaults['saveLatencyMs'] => {
  if (typeof save === 'number' && save >= 0) return { min: save, max: save };
  if (Array.isArray(save) && save.length === 2 && save.every((v) => typeof v === 'number' && v >= 0)) {
    const [a, b] = save as [number, number];
    return { min: Math.min(a, b), max: Math.max(a, b) };
  }
  if (typeof save === 'object' && save !== null && typeof (save as { min?: unknown }).min === 'number') {
    const { min, max } = save as { min: number; max?: number };
    if (min >= 0) return { min, max: Math.max(min, max ?? min) };
  }
  throw new Error('saveLatencyMs must be a number, [min, max] or {min, max}');
};

const KNOWN_FAULTS = new Set<string>(Object.keys(DEFAULT_FAULTS));

/** Applies a patch of faults; every bad value (or unknown key) throws naming it. */
export function normalizeFaults(current: SandboxFaults, patch: Record<string, unknown>): SandboxFaults {
  const next = { ...current };
  for (const key of Object.keys(patch))
    if (!KNOWN_FAULTS.has(key))
      throw new Error(`unknown fault ${key} (known: ${[...KNOWN_FAULTS].join(', ')})`);
  const num = (key: string, min: number, max = Number.POSITIVE_INFINITY) => {
    const value = patch[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`${key} must be a number in [${min}, ${max}]`);
    }
    return value;
  };
  for (const key of ['latencyMs', 'rateLimitPerMinute', 'tokenRateLimitPerMinute'] as const)
    next[key] = num(key, 0) ?? next[key];
  for (const key of ['tokenTtlSeconds', 'v1TokenTtlSeconds'] as const) next[key] = num(key, 1) ?? next[key];
  for (const key of ['errorRate', 'timeoutAfterApplyRate', 'errorAfterApplyRate'] as const)
    next[key] = num(key, 0, 1) ?? next[key];
  if (patch.saveLatencyMs !== undefined) next.saveLatencyMs = latencyRange(patch.saveLatencyMs);
  return next;
}
