/** Label values of the erpsync metrics: small fixed sets, never an order number or a message text. */
export const MessageOutcomes = ['success', 'skipped', 'dead_lettered'] as const;
export type MessageOutcome = (typeof MessageOutcomes)[number];

export const TransformerOutcomes = ['mapped', 'filtered', 'cancelled', 'invalid'] as const;
export type TransformerOutcome = (typeof TransformerOutcomes)[number];

// prettier-ignore
export const LoaderOutcomes = [
  'created', 'updated', 'unchanged', 'stale', 'cancelled', 'audited', 'rejected', 'failed',
] as const;
export type LoaderOutcome = (typeof LoaderOutcomes)[number];

// prettier-ignore
export const ApiOutcomes = [
  'success', 'business_error', 'rate_limited', 'auth_error', 'server_error', 'timeout', 'network_error',
] as const;
export type ApiOutcome = (typeof ApiOutcomes)[number];
