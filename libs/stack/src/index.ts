/**
 * The local pipeline stack: the broker and PostgreSQL of this machine, the three services and the
 * two sandboxes as supervised processes, their metrics. `./erpsync demo` and `check` run it in
 * production (so it is compiled into dist/, unlike @app/testing); the e2e suite, chaos and the
 * bench drive it too.
 */
export * from './local-infra';
export * from './local-postgres';
export * from './pipeline-stack';
export * from './process-supervisor';
