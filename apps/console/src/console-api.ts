/**
 * The console's JSON API under /api: the shapes the server answers and the SPA (apps/console/web)
 * reads. Types only (the SPA imports this file at build time). Times are ISO-8601 strings in UTC
 * unless named Beijing (`yyyy-MM-dd HH:mm:ss`, WDT's clock). Every answer other than 2xx is
 * `ApiError`. Every non-GET request needs the session's CSRF token in the `X-CSRF-Token` header.
 */

export type Role = 'viewer' | 'operator';

export interface ApiError {
  statusCode: number;
  message: string;
}

/** POST /api/session {user, password} → 200 SessionInfo (sets the HttpOnly cookie), 401 on bad credentials.
 *  GET /api/session → SessionInfo or 401. DELETE /api/session → 204 (logout). */
export interface LoginRequest {
  user: string;
  password: string;
}
export interface SessionInfo {
  user: string;
  role: Role;
  /** Send back as `X-CSRF-Token` on every POST/DELETE. */
  csrfToken: string;
  expiresAt: string;
}

export interface Page<T> {
  rows: T[];
  total: number;
  /** 1-based. */
  page: number;
  pageSize: number;
}

// ---- overview: GET /api/overview ----------------------------------------------------------------

export interface CheckResult {
  ok: boolean;
  detail?: string;
}
export interface ServiceHealth {
  name: string;
  url: string;
  live: boolean;
  ready: boolean;
  checks: Record<string, CheckResult>;
  /** Why the service could not be asked (connection refused …). */
  error?: string;
}
export interface TopicLag {
  /** e.g. transformer live, transformer replay, loader */
  consumer: string;
  group: string;
  topic: string;
  /** null when it could not be read (error says why). */
  lag: number | null;
  error?: string;
}
export interface Freshness {
  /** The extractor's checkpoint (everything modified before it has been read). */
  checkpoint: string | null;
  /** WDT's clock as last seen by the extractor (its answers' time), or the console's clock when unknown. */
  wdtNow: string | null;
  /** wdtNow − checkpoint. */
  lagSeconds: number | null;
}
export interface QuotaUse {
  /** Xingchen API requests counted by the loader(s), by outcome (success, rate_limited, …), since they started. */
  requestsByOutcome: Record<string, number>;
  throttled: number;
  /** The loader's current request rate limit per minute, when it reports one. */
  ratePerMinute: number | null;
  /** Shared account-set budgets (docs/quota.md): key, tokens used in the current minute. */
  budgets: Array<{ key: string; detail: string }>;
}
export interface DeadLetterCount {
  source: DeadLetterSource;
  topic: string;
  reason: string;
  errorClass: string;
  count: number;
}
export interface RecentError {
  billNo: string;
  tradeId: string;
  status: string;
  code: string | null;
  message: string | null;
  at: string;
}
export interface Overview {
  generatedAt: string;
  services: ServiceHealth[];
  lag: TopicLag[];
  freshness: Freshness;
  /** Every ledger row by status (synced, pending, rejected, failed, cancelled_in_source, audited_in_xingchen). */
  ledger: { total: number; byStatus: Record<string, number> };
  /** Ledger rows whose last change (updated_at) falls in the last hour / day, by status. */
  outcomes: { lastHour: Record<string, number>; lastDay: Record<string, number> };
  quota: QuotaUse;
  deadLetters: DeadLetterCount[];
  lastErrors: RecentError[];
}

// ---- orders: GET /api/orders?q=&status=&from=&to=&page=&pageSize= -------------------------------
// q: a trade number or bill number (exact or prefix); status: a ledger status; from/to: ISO times on
// the WDT modified time; pageSize ≤ 200 (default 50). Newest modified first.

export interface OrderSummary {
  billNo: string;
  tradeId: string;
  status: string;
  xingchenId: string | null;
  sourceModified: string;
  attempts: number;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  lastSyncedAt: string | null;
  updatedAt: string;
}

/** GET /api/orders/:billNo[?reveal=true] (reveal: operators only, audited). */
export interface SyncAttempt {
  id: string;
  attemptedAt: string;
  operation: string;
  outcome: string;
  xingchenId: string | null;
  durationMs: number;
  errorCode: string | null;
  errorMessage: string | null;
  /** The body sent to Xingchen (masked unless revealed), null for calls recorded before bodies were kept. */
  request: unknown;
  /** Xingchen's answer: HTTP status and body (JSON when it was JSON, else text). */
  response: { status: number | null; body: unknown } | null;
}
export interface FieldDifference {
  field: string;
  expected: string | undefined;
  actual: string | undefined;
}
export interface OrderReconciliation {
  /** in_sync; drifted (differences listed); missing (not in Xingchen); duplicated; stale; not_owed (filtered/cancelled);
   *  dead_lettered; rejected; unknown (a side could not be read: detail says why). */
  state: string;
  detail?: string;
  differences: FieldDifference[];
  xingchenIds: string[];
}
export interface OrderDetail {
  order: OrderSummary & {
    contentHash: string | null;
    syncedContentHash: string | null;
    pendingOperation: string | null;
    firstSyncedAt: string | null;
    cancelledAt: string | null;
  };
  /** The trade as WDT has it now (through the WDT API). */
  wdt: { found: boolean; status?: string; modified?: string; error?: string };
  attempts: SyncAttempt[];
  reconciliation: OrderReconciliation;
  /** Whether phone numbers and addresses in bodies are masked. */
  masked: boolean;
}

// ---- dead letters --------------------------------------------------------------------------------
// GET /api/dead-letters → DeadLetterQueues
// GET /api/dead-letters/:source?reason=&errorClass=&page=&pageSize= → Page<DeadLetter> (newest first)
// GET /api/dead-letters/:source/:partition/:offset[?reveal=true] → DeadLetterRecord
// POST /api/dead-letters/:source/redrive RedriveRequest → Job (operator)

export type DeadLetterSource = 'raw-dlq' | 'replay-dlq' | 'normalized-dlq';
export interface DeadLetterQueue {
  source: DeadLetterSource;
  topic: string;
  total: number;
  byReason: Array<{ reason: string; errorClass: string; count: number }>;
}
export interface DeadLetterQueues {
  queues: DeadLetterQueue[];
}
export interface DeadLetter {
  source: DeadLetterSource;
  topic: string;
  partition: number;
  offset: string;
  /** The record key: trade_no / bill no. */
  key: string | null;
  /** `dlq-error-reason` (what a redrive by reason matches). */
  reason: string;
  /** The problem class behind a generic reason (`dlq-error-detail`), when set. */
  detail?: string | null;
  errorClass: string;
  message: string;
  hop: string;
  failedAt: string | null;
  /** Broker time of the dead letter. */
  timestamp: string;
  /** When the console last redrove this record (null: never). */
  redrivenAt?: string | null;
}
export interface DeadLetterRecord extends DeadLetter {
  /** Every header of the record (correlation id, original topic/partition/offset, attempts …). */
  headers: Record<string, string>;
  /** The payload (JSON when it parses, else text), masked unless revealed. */
  payload: unknown;
  masked: boolean;
}
export type RedriveRequest =
  | { kind: 'records'; records: Array<{ partition: number; offset: string }> }
  | { kind: 'reason'; reason: string }
  | { kind: 'all' };

// ---- jobs (redrive, replay, resync, reconcile) ------------------------------------------------------
// GET /api/jobs?kind= → Job[] (newest first, 50); GET /api/jobs/:id → Job
// POST /api/replays ReplayRequest → Job (operator)
// POST /api/resyncs ResyncRequest → Job (operator)
// POST /api/reconciliations ReconcileRequest → Job (any role)
// GET /api/reconciliations/:jobId/report.json | report.csv → the finished report as a download

export type JobKind = 'redrive' | 'replay' | 'resync' | 'reconcile';
export type JobState = 'running' | 'done' | 'failed';
export interface Job {
  id: string;
  kind: JobKind;
  state: JobState;
  actor: string;
  request: unknown;
  /** scanned / replayed for redrive and replay; windows / trades for resync; phase for reconcile. */
  progress: Record<string, number | string>;
  /** The final counts (redrive/replay/resync) or the ReconciliationReport (reconcile). */
  result: unknown;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}
/** A broker-time range (ISO with offset) and/or trade numbers of the raw topic, re-sent through the replay topic. */
export interface ReplayRequest {
  from?: string;
  to?: string;
  tradeNos?: string[];
}
/** A WDT range, Beijing time `yyyy-MM-dd HH:mm:ss`, re-read by the extractor's backfill. */
export interface ResyncRequest {
  from: string;
  to: string;
}
/** A WDT period, Beijing time. */
export interface ReconcileRequest {
  from: string;
  to: string;
}
/** The report of a reconcile job (libs/reconciliation ReconciliationReport). */
export interface ReconciliationReportView {
  period?: { from?: string; to?: string };
  generatedAt: string;
  counts: Record<string, number | Record<string, number>>;
  missing: ReportEntryView[];
  duplicated: ReportEntryView[];
  stale: ReportEntryView[];
  mismatched: ReportEntryView[];
  rejected: ReportEntryView[];
  cancelledInSource: ReportEntryView[];
  auditedInXingchen: ReportEntryView[];
  invalid: ReportEntryView[];
  dead_lettered: Array<{ tradeNo: string; hop: string; reason: string; message: string }>;
  clean: boolean;
}
export interface ReportEntryView {
  billNo: string;
  reason: string;
  detail?: string;
  differences?: FieldDifference[];
  xingchenIds?: string[];
}

// ---- mapping preview ------------------------------------------------------------------------------
// GET /api/mapping/recent-trades → RecentTrade[] (the newest raw trades from Kafka, masked)
// POST /api/mapping/preview MappingPreviewRequest → MappingPreview
// POST /api/mapping/check MappingCheckRequest → MappingCheck (dry run: nothing is applied)

export interface RecentTrade {
  tradeNo: string | null;
  shopNo: string | null;
  modified: string | null;
  trade: unknown;
}
export interface MappingPreviewRequest {
  /** A WDT trade as WDT sends it (an object, or JSON text). */
  trade: unknown;
  /** Mapping file text (YAML or JSON) to use instead of the configured one. */
  mapping?: string;
}
export interface MappingPreview {
  /** mapped, filtered (not eligible), cancelled, invalid */
  outcome: string;
  /** The mapping rules' validation messages (why invalid/filtered, unresolved master data …). */
  messages: string[];
  normalized: unknown;
  /** The configured family (v1 or v2) and the exact body erpsync would send to save it. */
  family: string;
  body: unknown;
}
export interface MappingCheckRequest {
  mapping: string;
}
export interface MappingCheck {
  valid: boolean;
  errors: string[];
  /** Shops mapped, default customer, eligible statuses … of the checked file. */
  summary: Record<string, unknown>;
  /** The recent trades mapped with the configured rules and with the checked ones. */
  trial: {
    trades: number;
    outcomes: { configured: Record<string, number>; checked: Record<string, number> };
    changed: Array<{ tradeNo: string | null; configured: string; checked: string; messages: string[] }>;
  };
}

// ---- audit: GET /api/audit?page=&pageSize= → Page<AuditEntry> (newest first) ------------------------

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: unknown;
  result: 'ok' | 'refused' | 'failed';
  detail: string | null;
}
