import {
  type LoaderOutcome,
  type NonRetriableError,
  type NormalizedSalesOrder,
  type OrderCancellation,
  type SyncError,
} from '@app/contracts';
import { type Logger, type Metrics } from '@app/observability';
import { captureXingchenExchanges, classifyFailure, type XingchenExchange } from '@app/xingchen-client';
import { errorCode, errorFields } from './ledger-rows';
import {
  decide,
  MAX_LOAD_STEPS,
  startState,
  type LoadState,
  type LoadStep,
  type LogNote,
} from './load-decision';
import {
  type AttemptOperation,
  type AttemptOutcome,
  type LedgerRow,
  type LedgerSession,
  type MasterDataResolverPort,
  type XingchenPort,
} from './loader.ports';

type Effect = Extract<LoadStep, { kind: 'lookup' | 'resolve' | 'read' | 'save' }>;
type Of<K extends Effect['kind']> = Extract<Effect, { kind: K }>;

/** A call's answer: its value, or a business refusal when the caller takes one as an answer. */
type Answer<T> = { value: T } | { refused: NonRetriableError };

/**
 * Performs the decision's steps under the bill's ledger session: a small bounded loop asks
 * `decide` for the next step, makes its one call (Xingchen, master data) with its attempt row and
 * hands the answer back. Every write, log and error of a step is the step's; nothing here decides.
 */
export class LoadSteps {
  constructor(
    private readonly xingchen: XingchenPort,
    private readonly masterData: MasterDataResolverPort,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly now: () => Date,
    private readonly next: (state: LoadState, now: Date) => LoadStep = decide,
  ) {}

  async order(session: LedgerSession, order: NormalizedSalesOrder): Promise<LoaderOutcome> {
    return this.run(session, startState(order, await session.get()), order.billNo);
  }

  async cancellation(session: LedgerSession, cancellation: OrderCancellation): Promise<LoaderOutcome> {
    const state: LoadState = { phase: 'cancellation', cancellation, row: await session.get() };
    return this.run(session, state, cancellation.billNo);
  }

  private async run(session: LedgerSession, first: LoadState, billNo: string): Promise<LoaderOutcome> {
    let state = first;
    for (let taken = 0; taken < MAX_LOAD_STEPS; taken++) {
      const step = this.next(state, this.now());
      if (step.log) this.log(step.log);
      switch (step.kind) {
        case 'finish':
          if (step.row) await session.put(step.row);
          if (step.latencyFrom) this.observeLatency(step.latencyFrom);
          return step.outcome;
        case 'reject':
          await session.put(step.row);
          throw step.error;
        case 'retry':
          throw step.error;
        default:
          state = await this.perform(session, step);
      }
    }
    throw new Error(`loader: bill ${billNo} has no outcome after ${MAX_LOAD_STEPS} steps`);
  }

  private perform(session: LedgerSession, step: Effect): Promise<LoadState> {
    switch (step.kind) {
      case 'lookup':
        return this.lookup(session, step);
      case 'resolve':
        return this.resolve(step);
      case 'read':
        return this.read(session, step);
      case 'save':
        return this.save(session, step);
    }
  }

  private async lookup(session: LedgerSession, { row, next }: Of<'lookup'>): Promise<LoadState> {
    const answer = await this.call(session, row, 'lookup', null, {
      run: () => this.xingchen.findSalesOrderByBillNo(row.billNo),
      answered: (found) => [found ? 'found' : 'absent', found?.id ?? null],
    });
    return { ...next, found: 'value' in answer ? (answer.value?.id ?? null) : null };
  }

  private async read(session: LedgerSession, { row, xingchenId, next }: Of<'read'>): Promise<LoadState> {
    const answer = await this.call(session, row, 'detail', xingchenId, {
      run: () => this.xingchen.getSalesOrder(xingchenId),
      answered: (stored) => [stored ? 'found' : 'absent', xingchenId],
    });
    return { ...next, stored: 'value' in answer ? answer.value : null };
  }

  /** The intent is durable before the one save; a business refusal is the save's answer. */
  private async save(session: LedgerSession, step: Of<'save'>): Promise<LoadState> {
    await session.putIntent(step.intent);
    const answer = await this.call(session, step.tried, step.operation, step.draft.id ?? null, {
      run: () => this.xingchen.saveSalesOrder(step.draft),
      answered: ({ id }) => ['success', id],
    });
    return { ...step.next, saved: 'value' in answer ? { id: answer.value.id } : answer };
  }

  /** Master data: a refusal (an unknown number) is an answer; any other failure is thrown. */
  private async resolve({ numbers, invalidate, fresh, next }: Of<'resolve'>): Promise<LoadState> {
    for (const [kind, of] of invalidate) await this.masterData.invalidate(kind, of);
    try {
      return { ...next, answer: { ids: await this.masterData.resolve(numbers, { fresh }) } };
    } catch (error) {
      const failure = classifyFailure(error);
      if (failure?.kind !== 'refused') throw error;
      return { ...next, answer: { refused: failure.error } };
    }
  }

  /**
   * One Xingchen call with its attempt row. A business refusal answers a save and is thrown as is
   * by a look-up; a retriable or fatal failure is recorded on `row` (the attempt names
   * `failedId`), then thrown; anything else (a programming error) is thrown untouched.
   */
  private async call<T>(
    session: LedgerSession,
    row: LedgerRow,
    operation: AttemptOperation,
    failedId: string | null,
    call: { run: () => Promise<T>; answered: (value: T) => [AttemptOutcome, string | null] },
  ): Promise<Answer<T>> {
    const started = Date.now();
    const isSave = operation === 'create' || operation === 'modify';
    const { exchanges, outcome: result } = await captureXingchenExchanges(call.run);
    const record = (outcome: AttemptOutcome, xingchenId: string | null, error?: SyncError) =>
      this.attempt(session, row, { operation, outcome, startedAt: started, xingchenId, exchanges }, error);
    if ('value' in result) {
      const [outcome, xingchenId] = call.answered(result.value);
      await record(outcome, xingchenId);
      return { value: result.value };
    }
    const { error } = result;
    const failure = classifyFailure(error);
    if (failure?.kind === 'refused' && isSave) {
      await record('business_error', failedId, failure.error);
      return { refused: failure.error };
    }
    if (failure && failure.kind !== 'refused') {
      await session.put({ ...row, ...errorFields(failure.error) });
      const outcome: AttemptOutcome =
        failure.kind === 'fatal'
          ? 'fatal'
          : failure.kind === 'ambiguous' && isSave
            ? 'ambiguous'
            : 'retriable_error';
      await record(outcome, failedId, failure.error);
    }
    throw error;
  }

  private async attempt(
    session: LedgerSession,
    row: LedgerRow,
    call: {
      operation: AttemptOperation;
      outcome: AttemptOutcome;
      startedAt: number;
      xingchenId: string | null;
      exchanges: XingchenExchange[];
    },
    error?: SyncError,
  ): Promise<void> {
    // the last exchange is the one that answered (a refused token is renewed and the call repeated)
    const last = call.exchanges.at(-1);
    await session.appendAttempt({
      billNo: row.billNo,
      operation: call.operation,
      outcome: call.outcome,
      xingchenId: call.xingchenId,
      contentHash: row.contentHash,
      sourceModified: row.sourceModified,
      errorCode: error ? errorCode(error) : null,
      errorMessage: error ? errorFields(error).lastErrorMessage : null,
      durationMs: Date.now() - call.startedAt,
      exchange: last
        ? { requestBody: last.requestBody, responseStatus: last.status, responseBody: last.responseBody }
        : null,
    });
  }

  private log(note: LogNote): void {
    this.logger[note.level](note.context, note.message);
  }

  /** WDT `modified` → saved in Xingchen. */
  private observeLatency(modified: string): void {
    const seconds = (this.now().getTime() - new Date(modified).getTime()) / 1000;
    if (seconds >= 0) this.metrics.syncLatency.observe(seconds);
  }
}
