import { Inject, Injectable } from '@nestjs/common';
import {
  LoaderOutcomes,
  NonRetriableError,
  parseNormalizedOrderMessage,
  RetriableError,
  SchemaValidationError,
  type LoaderOutcome,
  type NormalizedOrderMessage,
} from '@app/contracts';
import { Outcome, type ConsumedMessage, type HandlerContext } from '@app/kafka';
import { LOGGER, METRICS, type Logger, type Metrics } from '@app/observability';
import { Semaphore } from '@app/runtime';
import { LOADER_CONFIG, type LoaderConfig } from './loader.tokens';
import { OrderLoader } from './order-loader.service';

/** Parses a `sales.order.normalized.v1` record; a bad one can never succeed (DLQ at once). */
export function parseRecord(message: Pick<ConsumedMessage, 'value'>): NormalizedOrderMessage {
  let plain: unknown;
  try {
    plain = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    throw new NonRetriableError('normalized order is not JSON', { reason: 'invalid_json' });
  }
  try {
    return parseNormalizedOrderMessage(plain);
  } catch (error) {
    if (error instanceof SchemaValidationError)
      throw new NonRetriableError(error.message, { reason: 'invalid_message' });
    throw error;
  }
}

/** Loader outcomes that change nothing in Xingchen: the runner counts them as `skipped`. */
const SKIPPED: ReadonlySet<LoaderOutcome> = new Set<LoaderOutcome>(['unchanged', 'stale', 'audited']);

/**
 * The Kafka side of the loader: parse, cap the orders in flight, run the decision, return the
 * runner's outcome. On the last attempt a retriable failure is recorded as `failed` in the ledger
 * here, in the same pass, and dead-lettered (the runner writes the DLQ).
 */
@Injectable()
export class NormalizedOrderHandler {
  private readonly inFlight: Semaphore;

  constructor(
    private readonly loader: OrderLoader,
    @Inject(LOADER_CONFIG) config: LoaderConfig,
    @Inject(METRICS) metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    // each order in flight holds one pooled connection (its bill lock): leave two for the rest
    this.inFlight = new Semaphore(
      Math.max(1, Math.min(config.LOADER_MAX_IN_FLIGHT, config.DATABASE_POOL_SIZE - 2)),
    );
    for (const outcome of LoaderOutcomes) metrics.loaderOrders.inc({ outcome }, 0);
  }

  /** The runner's handler (a bad record throws NonRetriableError: dead-lettered at once). */
  readonly handle = async (message: ConsumedMessage, context: HandlerContext): Promise<Outcome> => {
    const order = parseRecord(message);
    const release = await this.inFlight.acquire();
    try {
      return SKIPPED.has(await this.loader.handle(order)) ? Outcome.skip : Outcome.done;
    } catch (error) {
      if (!(error instanceof RetriableError) || !context.lastAttempt) throw error;
      await this.recordFailure(order, error);
      return Outcome.retriesExhausted(error);
    } finally {
      release();
    }
  };

  /** Retries exhausted → ledger `failed` (rejections were recorded already by the loader). */
  private async recordFailure(order: NormalizedOrderMessage, error: RetriableError): Promise<void> {
    try {
      await this.loader.recordFailure(order, error);
    } catch (ledgerError) {
      // the row stays as it was (a pending intent stays pending): the DLQ record is what matters now
      this.logger.error(
        { billNo: order.billNo, err: ledgerError },
        'could not record the failure in the ledger',
      );
    }
  }
}
