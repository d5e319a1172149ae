import { hostname } from 'node:os';
import { type EnvConfig, type extractorEnv } from '@app/config';
import { parseWdtTime } from '@app/contracts';
import { type CheckpointRepository } from '@app/persistence';
import { type WdtClient } from '@app/wdt-client';
import { type WindowExtractor } from './window-extractor';
import { type Now } from '@app/runtime';

export type ExtractorConfig = EnvConfig<typeof extractorEnv>;

export const EXTRACTOR_CONFIG = Symbol('EXTRACTOR_CONFIG');
/** The extractor's clock (epoch ms); tests move it. */
export const EXTRACTOR_CLOCK = Symbol('EXTRACTOR_CLOCK');
export type Clock = Now;

/** The checkpoint and lease of the live stream (CheckpointRepository for CHECKPOINT_NAME). */
export const EXTRACTOR_CHECKPOINTS = Symbol('EXTRACTOR_CHECKPOINTS');
export type CheckpointStore = Pick<CheckpointRepository, 'acquireLease' | 'advance' | 'releaseLease'>;
/** Reads windows from WDT and publishes them (WindowExtractor). */
export const WINDOW_EXTRACTOR = Symbol('WINDOW_EXTRACTOR');
export type WindowRunner = Pick<WindowExtractor, 'extract'>;
/** What the service itself reads of the WDT client: its route and WDT's clock offset. */
export type WdtRouteInfo = Pick<WdtClient, 'route' | 'serverClockOffsetMs'>;

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
