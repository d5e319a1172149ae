import { type consoleEnv, type EnvConfig } from '@app/config';

export type ConsoleConfig = EnvConfig<typeof consoleEnv>;

export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');
/** The console's Kafka client (kafkajs Kafka). */
export const CONSOLE_KAFKA = Symbol('CONSOLE_KAFKA');
/** The WDT client (WdtClient). */
export const CONSOLE_WDT = Symbol('CONSOLE_WDT');
/** The Xingchen client of the configured family (XingchenClient). */
export const CONSOLE_XINGCHEN = Symbol('CONSOLE_XINGCHEN');
/** The configured mapping rules (MappingRules). */
export const CONSOLE_RULES = Symbol('CONSOLE_RULES');
/** How a resync runs the extractor's backfill (ResyncRunner). */
export const RESYNC_RUNNER = Symbol('RESYNC_RUNNER');
