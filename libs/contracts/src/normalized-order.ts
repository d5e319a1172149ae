import {
  ArrayMinSize,
  Equals,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { instantiateContract, Nested } from './nested-contract';

/** Decimal numbers travel as strings, never as binary floating point. */
export const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;
/** ISO-8601 with an explicit offset, e.g. `2024-01-01T23:59:59+08:00`. */
export const OFFSET_DATETIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export const NORMALIZED_ORDER_SCHEMA_VERSION = 1;

/** Where the order came from: enough to trace it back to the WDT trade and version. */
export class OrderSource {
  @Equals('wdt') system!: 'wdt';
  @IsString() @IsNotEmpty() tradeId!: string;
  @IsString() @IsNotEmpty() tradeNo!: string;
  @IsString() @IsNotEmpty() shopNo!: string;
  @IsString() warehouseNo!: string;
  @IsInt() tradeStatus!: number;
  /** WDT `modified`, Beijing time with its offset. */
  @Matches(OFFSET_DATETIME_PATTERN) modified!: string;
  @IsOptional() @IsString() versionId?: string;
}

export class NormalizedOrderLine {
  /** WDT `goods_list[].rec_id`. */
  @IsString() @IsNotEmpty() sourceRecId!: string;
  /** Xingchen material number (WDT `spec_no`, or the mapping override). */
  @IsString() @IsNotEmpty() materialNumber!: string;
  /** Xingchen store number (WDT `warehouse_no`, or the mapping override). */
  @IsString() @IsNotEmpty() storeNumber!: string;
  @Matches(DECIMAL_PATTERN) qty!: string;
  /** Tax-inclusive unit price, `share_amount / num` rounded half-up. */
  @Matches(DECIMAL_PATTERN) taxPrice!: string;
  @IsBoolean() isFree!: boolean;
  /** Tax rate in percent points (13 = 13 %). */
  @Matches(DECIMAL_PATTERN) taxPercent!: string;
  /** WDT `share_amount`: the line total the customer pays. */
  @Matches(DECIMAL_PATTERN) shareAmount!: string;
}

export class ProjectField {
  @IsString() @IsNotEmpty() field!: string;
  @IsString() @IsNotEmpty() value!: string;
}

/** `sales.order.normalized.v1`, kind `order`: a confirmed trade to be created or kept current. */
export class NormalizedSalesOrder {
  @Equals('order') kind!: 'order';
  @Equals(NORMALIZED_ORDER_SCHEMA_VERSION) schemaVersion!: number;
  @IsString() @IsNotEmpty() billNo!: string;
  @Matches(DATE_PATTERN) billDate!: string;
  @IsString() @IsNotEmpty() customerNumber!: string;
  @IsOptional() @Nested(() => ProjectField) project?: ProjectField;
  @IsOptional() @IsString() remark?: string;
  @ArrayMinSize(1) @Nested(() => NormalizedOrderLine, { each: true }) lines!: NormalizedOrderLine[];
  @Nested(() => OrderSource) source!: OrderSource;
  /** sha256 (hex) over the business fields only: a new logistics number does not change it. */
  @Matches(/^[0-9a-f]{64}$/) contentHash!: string;
}

/** `sales.order.normalized.v1`, kind `cancellation`: the trade was cancelled (status 5) in WDT. */
export class OrderCancellation {
  @Equals('cancellation') kind!: 'cancellation';
  @Equals(NORMALIZED_ORDER_SCHEMA_VERSION) schemaVersion!: number;
  @IsString() @IsNotEmpty() billNo!: string;
  @Nested(() => OrderSource) source!: OrderSource;
}

export type NormalizedOrderMessage = NormalizedSalesOrder | OrderCancellation;

export const NormalizedMessageKinds = ['order', 'cancellation'] as const;

export class SchemaValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`schema validation failed: ${problems.join('; ')}`);
    this.name = 'SchemaValidationError';
  }
}

const flatten = (errors: ValidationError[], prefix = ''): string[] =>
  errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((text) => `${path}: ${text}`);
    return [...own, ...flatten(error.children ?? [], path)];
  });

/** Validates a plain object against a contract class; throws SchemaValidationError naming each problem. */
export function validateContract<T extends object>(cls: new () => T, plain: unknown): T {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new SchemaValidationError(['message is not a JSON object']);
  }
  let instance: T;
  try {
    instance = instantiateContract(cls, plain as Record<string, unknown>);
  } catch (error) {
    throw new SchemaValidationError([error instanceof Error ? error.message : String(error)]);
  }
  const errors = validateSync(instance, { forbidUnknownValues: true, whitelist: false });
  if (errors.length > 0) throw new SchemaValidationError(flatten(errors));
  return instance;
}

/** Parses a `sales.order.normalized.v1` payload of either kind. */
export function parseNormalizedOrderMessage(plain: unknown): NormalizedOrderMessage {
  const kind = (plain as { kind?: unknown } | null)?.kind;
  if (kind === 'order') return validateContract(NormalizedSalesOrder, plain);
  if (kind === 'cancellation') return validateContract(OrderCancellation, plain);
  throw new SchemaValidationError([`kind: must be one of ${NormalizedMessageKinds.join(', ')}`]);
}

export const isOrder = (message: NormalizedOrderMessage): message is NormalizedSalesOrder =>
  message.kind === 'order';
