import 'reflect-metadata';
export * from './topics';
export * from './headers';
export * from './errors';
export * from './metric-labels';
export * from './normalized-order';
export * from './wdt-trade';
export * from './wdt-time';
