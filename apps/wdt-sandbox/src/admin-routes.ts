import { type IncomingMessage, type ServerResponse } from 'node:http';
import { readBody } from '@app/sandbox-catalog';
import { type SandboxFaults, type WdtSandboxContext } from './sandbox-types';
import { type SandboxTrade } from './trade-generator';
import { filedUnder } from './trade-store';
import { MAX_BODY_BYTES, sendWdt } from './wdt-http';

/** `/__sandbox/*`: inspect and steer the sandbox (trades, faults, stats). False when no route matched. */
export async function handleAdmin(
  ctx: WdtSandboxContext,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<boolean> {
  if (path === '/__sandbox/trades') {
    if (request.method === 'GET') {
      const trades = ctx.store.visible(ctx.clock());
      sendWdt(response, 200, { total_count: trades.length, trades });
      return true;
    }
    if (request.method === 'POST') {
      await upsertTrades(ctx, request, response);
      return true;
    }
  }
  if (path === '/__sandbox/faults') {
    if (request.method === 'POST') {
      const parsed = JSON.parse((await readBody(request, MAX_BODY_BYTES)) || '{}') as Record<string, unknown>;
      const problem = applyFaults(ctx, parsed);
      if (problem) {
        sendWdt(response, 400, { error: problem });
        return true;
      }
    }
    sendWdt(response, 200, ctx.faults);
    return true;
  }
  if (path === '/__sandbox/stats') {
    sendWdt(response, 200, { ...ctx.stats, now: ctx.clock(), trades: ctx.store.size });
    return true;
  }
  return false;
}

/** `POST /__sandbox/trades` `{"trades": [...]}`: each needs a trade_no and a time it is filed under. */
async function upsertTrades(
  ctx: WdtSandboxContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const parsed = JSON.parse(await readBody(request, MAX_BODY_BYTES)) as { trades?: unknown };
  if (!Array.isArray(parsed.trades)) return sendWdt(response, 400, { error: 'expected {"trades": [...]}' });
  const problems = parsed.trades.flatMap((trade, index) => {
    const t = trade as Partial<SandboxTrade> | null;
    if (typeof t?.trade_no !== 'string' || t.trade_no === '')
      return [`trades[${index}].trade_no is required`];
    if (filedUnder(t as SandboxTrade) === '')
      return [
        `trades[${index}].modified (or, for a broken trade without one, created) must be yyyy-MM-dd HH:mm:ss`,
      ];
    return [];
  });
  if (problems.length > 0) return sendWdt(response, 400, { error: problems.join('; ') });
  ctx.store.upsert(parsed.trades as SandboxTrade[]);
  return sendWdt(response, 200, { upserted: parsed.trades.length, total: ctx.store.size });
}

/** Validates a faults patch and applies it; answers the problem instead when a value is out of range. */
export function applyFaults(ctx: WdtSandboxContext, input: Record<string, unknown>): string | undefined {
  const next = { ...ctx.faults };
  for (const key of [
    'latencyMs',
    'errorRate',
    'serverErrorRate',
    'rateLimitPerMinute',
    'malformedRate',
  ] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      return `${key} must be a number ≥ 0`;
    if (key.endsWith('Rate') && value > 1) return `${key} must be between 0 and 1`;
    next[key] = value;
  }
  if (next.rateLimitPerMinute < 1) return 'rateLimitPerMinute must be ≥ 1';
  ctx.faults = next satisfies SandboxFaults;
  return undefined;
}
