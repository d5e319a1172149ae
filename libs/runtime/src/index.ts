/**
 * Small runtime mechanisms with one home each: sleep, clock, backoff, concurrency, rate limiting,
 * seeded random and the pipeline idle test. Depends on nothing but node.
 */
export * from './backoff';
export * from './clock';
export * from './concurrency';
export * from './idle';
export * from './rate-limiter';
export * from './seeded-random';
export * from './sleep';
export * from './call-budget';
export * from './shared-rate-limiter';
export * from './password-hash';
