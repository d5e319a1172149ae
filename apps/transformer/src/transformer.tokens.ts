import { type EnvConfig, type transformerEnv } from '@app/config';

export type TransformerConfig = EnvConfig<typeof transformerEnv>;

/** The validated mapping rules (MappingRules from @app/mapping). */
export const MAPPING_RULES = Symbol('MAPPING_RULES');
/** The transformer's topic names, as configured. */
export const TRANSFORMER_TOPICS = Symbol('TRANSFORMER_TOPICS');

/** The topic names by role: `raw` (live input), `replay` (low-priority input), `normalized` (output). */
export type TransformerTopics = Record<'raw' | 'replay' | 'normalized', string>;

/** Bearer token of POST /admin/replay; undefined disables replay over HTTP. */
export const REPLAY_ADMIN_TOKEN = Symbol('REPLAY_ADMIN_TOKEN');
