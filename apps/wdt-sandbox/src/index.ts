/** The WDT sandbox for in-process use (integration tests, benchmarks, the demo's data). */
export * from './wdt-sandbox';
export * from './trade-generator';
export * from './trade-store';
