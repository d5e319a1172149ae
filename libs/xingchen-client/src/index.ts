export * from './xingchen-signer';
export * from './xingchen-errors';
export * from './token-manager';
export * from './rate-limiter';
export * from './http-transport';
export * from './xingchen.types';
export * from './xingchen-client';
export * from './sales-order';
