import { Inject, Injectable } from '@nestjs/common';
import {
  LoaderOutcomes,
  NonRetriableError,
  parseNormalizedOrderMessage,
  RetriableError,
  SchemaValidationError,
  type NormalizedOrderMessage,
} from '@app/contracts';
import { type ConsumedMessage, type HandlerOutcome } from '@app/kafka';
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

/** The Kafka side of the loader: parse, cap the orders in flight, run the decision, map to a runner outcome. */
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

  async handle(message: ConsumedMessage): Promise<HandlerOutcome> {
    const order = parseRecord(message);
    const release = await this.inFlight.acquire();
    try {
      const outcome = await this.loader.handle(order);
      return outcome === 'unchanged' || outcome === 'stale' || outcome === 'audited' ? 'skipped' : 'success';
    } finally {
      release();
    }
  }

  /** The runner's onDeadLetter: retries exhausted → ledger `failed` (rejections were recorded already). */
  async onDeadLetter(message: ConsumedMessage, error: unknown): Promise<void> {
    if (!(error instanceof RetriableError)) return;
    let order: NormalizedOrderMessage;
    try {
      order = parseRecord(message);
    } catch {
      return;
    }
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
