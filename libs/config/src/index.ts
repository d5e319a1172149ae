export * from './env-schema';
export * from './common.config';
export * from './process-env';
