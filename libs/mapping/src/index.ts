export * from './mapping-rules';
export * from './mapping-file';
export * from './trade-mapper';
export * from './content-hash';
export { divideHalfUp, normalizeDecimal, decimalEquals } from './decimal';
