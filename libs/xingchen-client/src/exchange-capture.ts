import { AsyncLocalStorage } from 'node:async_hooks';

/** One HTTP exchange with Xingchen as it went over the wire (bodies as text, capped). */
export interface XingchenExchange {
  operation: string;
  method: string;
  path: string;
  /** The JSON body sent (null for a GET). */
  requestBody: string | null;
  /** null when no answer came (timeout, connection refused). */
  status: number | null;
  responseBody: string | null;
}

/** Bodies kept per exchange: enough for any sales order we send, bounded for the ledger. */
export const EXCHANGE_BODY_LIMIT = 64 * 1024;

const capped = (text: string | null): string | null =>
  text === null || text.length <= EXCHANGE_BODY_LIMIT
    ? text
    : `${text.slice(0, EXCHANGE_BODY_LIMIT)}… (${text.length - EXCHANGE_BODY_LIMIT} more characters)`;

const recorder = new AsyncLocalStorage<XingchenExchange[]>();

/**
 * Runs `work` and collects the Xingchen exchanges it makes (in this async context only, so
 * concurrent bills never see each other's). The exchanges are returned even when `work` throws.
 */
export async function captureXingchenExchanges<T>(
  work: () => Promise<T>,
): Promise<{ exchanges: XingchenExchange[]; outcome: { value: T } | { error: unknown } }> {
  const exchanges: XingchenExchange[] = [];
  const outcome = await recorder.run(exchanges, async () => {
    try {
      return { value: await work() };
    } catch (error) {
      return { error };
    }
  });
  return { exchanges, outcome };
}

/** Called by the client core for every exchange; a no-op outside captureXingchenExchanges. */
export function recordXingchenExchange(exchange: XingchenExchange): void {
  recorder.getStore()?.push({
    ...exchange,
    requestBody: capped(exchange.requestBody),
    responseBody: capped(exchange.responseBody),
  });
}
