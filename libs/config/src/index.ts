export * from './env-schema';
export * from './common.config';
export * from './process-env';
export * from './wdt-sandbox.config';
export * from './extractor.config';
export * from './transformer.config';
export * from './xingchen-sandbox.config';
export * from './loader.config';
