/** The Xingchen sandbox for in-process use (integration tests, benchmarks, chaos), with its client-env helpers. */
export * from './xingchen-sandbox';
