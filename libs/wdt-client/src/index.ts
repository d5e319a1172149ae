export * from './wdt-client';
export * from './wdt-client.types';
export * from './wdt-client.provider';
export * from './wdt-errors';
export * from './wdt-signer';
