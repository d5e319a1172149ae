import { hostname } from 'node:os';
import { type EnvConfig, type extractorEnv } from '@app/config';
import { parseWdtTime } from '@app/contracts';
import { type Now } from '@app/runtime';

export type ExtractorConfig = EnvConfig<typeof extractorEnv>;

export const EXTRACTOR_CONFIG = Symbol('EXTRACTOR_CONFIG');
/** The extractor's clock (epoch ms); tests move it. */
export const EXTRACTOR_CLOCK = Symbol('EXTRACTOR_CLOCK');
export type Clock = Now;

export interface ExtractorAppOptions {
  /** Run the scheduled poll loop (false for the backfill command). */
  poll?: boolean;
  clock?: Clock;
}

/** INITIAL_CHECKPOINT as epoch ms, or a message naming the problem. */
export function parseInitialCheckpoint(config: ExtractorConfig): number | undefined | string {
  if (config.INITIAL_CHECKPOINT === undefined) return undefined;
  try {
    return parseWdtTime(config.INITIAL_CHECKPOINT);
  } catch {
    return `INITIAL_CHECKPOINT must be yyyy-MM-dd HH:mm:ss (Beijing time), got "${config.INITIAL_CHECKPOINT}"`;
  }
}

export const instanceId = (config: ExtractorConfig): string =>
  config.INSTANCE_ID ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
