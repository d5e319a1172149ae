export * from './metrics';
export * from './logger';
export * from './health';
export * from './observability.module';
export * from './service-app';
export * from './prometheus-text';
