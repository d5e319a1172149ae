import { isOrder, RetriableError, type LoaderOutcome, type NormalizedOrderMessage } from '@app/contracts';
import { type Logger, type Metrics } from '@app/observability';
import { classifyFailure } from '@app/xingchen-client';
import { errorFields, newRow } from './ledger-rows';
import { LoadSteps } from './load-steps';
import { type LedgerStore, type MasterDataResolverPort, type XingchenPort } from './loader.ports';

export { compareVersions } from './ledger-rows';

/**
 * The loader's entry point: one normalized order under the bill's ledger lock. What to do is the
 * decision table (`load-decision.ts`, pure); `load-steps.ts` performs its steps: an intent row
 * before every create or modify, a look-up before repeating a create whose outcome is unknown,
 * one Xingchen call for a new order in the common case.
 */
export class OrderLoader {
  private readonly steps: LoadSteps;

  constructor(
    private readonly ledger: LedgerStore,
    xingchen: XingchenPort,
    masterData: MasterDataResolverPort,
    private readonly metrics: Metrics,
    logger: Logger,
    now: () => Date = () => new Date(),
  ) {
    this.steps = new LoadSteps(xingchen, masterData, metrics, logger, now);
  }

  async handle(message: NormalizedOrderMessage): Promise<LoaderOutcome> {
    try {
      const outcome = await this.ledger.withBill(message.billNo, (session) =>
        isOrder(message) ? this.steps.order(session, message) : this.steps.cancellation(session, message),
      );
      this.metrics.loaderOrders.inc({ outcome });
      return outcome;
    } catch (error) {
      if (classifyFailure(error)?.kind === 'refused') this.metrics.loaderOrders.inc({ outcome: 'rejected' });
      throw error;
    }
  }

  /** Retries exhausted (the handler's last attempt): the ledger says `failed`; a pending intent stays pending. */
  async recordFailure(message: NormalizedOrderMessage, error: unknown): Promise<void> {
    const failure =
      error instanceof RetriableError
        ? errorFields(error)
        : {
            lastErrorCode: 'unexpected_error',
            lastErrorMessage: (error instanceof Error ? error.message : String(error)).slice(0, 1000),
          };
    await this.ledger.withBill(message.billNo, async (session) => {
      const row = await session.get();
      await session.put({ ...(row ?? newRow(message)), status: 'failed', ...failure });
    });
    this.metrics.loaderOrders.inc({ outcome: 'failed' });
  }
}
