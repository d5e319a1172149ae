import { IsArray, IsInt, IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';
import { Nested } from './nested-contract';
import { DECIMAL_PATTERN } from './normalized-order';

/** WDT `yyyy-MM-dd HH:mm:ss`, always Beijing time (Asia/Shanghai, +08:00). */
export const WDT_DATETIME_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
/** WDT sends ids and codes as strings, numbers as decimal strings ("2.0000"). */
const ID_PATTERN = /^\S+$/;

/**
 * One `goods_list` line of a WDT trade, as `wdt.trade.query` returns it. Only the fields erpsync
 * relies on are declared; every other field of the seed's response table is tolerated and kept.
 */
export class WdtTradeLine {
  @IsString() @Matches(ID_PATTERN) rec_id!: string;
  @IsString() @IsNotEmpty() spec_no!: string;
  @IsString() @Matches(DECIMAL_PATTERN) num!: string;
  @IsString() @Matches(DECIMAL_PATTERN) share_amount!: string;
  @IsInt() gift_type!: number;
  @IsInt() refund_status!: number;
  @IsOptional() @IsString() @Matches(DECIMAL_PATTERN) tax_rate?: string;
  @IsOptional() @IsString() @Matches(DECIMAL_PATTERN) price?: string;
  @IsOptional() @IsString() @Matches(DECIMAL_PATTERN) order_price?: string;
  @IsOptional() @IsString() @Matches(DECIMAL_PATTERN) actual_num?: string;
  @IsOptional() @IsString() goods_no?: string;
  @IsOptional() @IsString() goods_name?: string;
  @IsOptional() @IsString() spec_name?: string;
  @IsOptional() @IsString() suite_no?: string;
  @IsOptional() @IsString() unit_name?: string;
  @IsOptional() @IsString() @Matches(WDT_DATETIME_PATTERN) modified?: string;
  [extra: string]: unknown;
}

/** A WDT trade (`wdt.trade.query` → `trades[]`): the payload of `erp.wdt.trade.raw.v1`. */
export class WdtTrade {
  @IsString() @Matches(ID_PATTERN) trade_id!: string;
  @IsString() @IsNotEmpty() trade_no!: string;
  @IsString() @IsNotEmpty() shop_no!: string;
  @IsString() warehouse_no!: string;
  @IsInt() trade_status!: number;
  @IsString() @Matches(WDT_DATETIME_PATTERN) trade_time!: string;
  @IsString() @Matches(WDT_DATETIME_PATTERN) modified!: string;
  @IsString() @Matches(WDT_DATETIME_PATTERN) created!: string;
  @IsOptional() @IsString() @Matches(WDT_DATETIME_PATTERN) pay_time?: string;
  @IsOptional() @IsString() @Matches(DECIMAL_PATTERN) tax_rate?: string;
  @IsOptional() @IsString() version_id?: string;
  @IsOptional() @IsString() shop_name?: string;
  @IsOptional() @IsInt() refund_status?: number;
  @IsArray() @Nested(() => WdtTradeLine, { each: true }) goods_list!: WdtTradeLine[];
  [extra: string]: unknown;
}
