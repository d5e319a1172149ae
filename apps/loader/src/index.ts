/** The loader's public surface for the suites under test/, bench/ and chaos/ (lint forbids deeper imports). */
export { createLoaderApp } from './loader.app';
export { PostgresLedgerStore } from './ledger.repository';
export { type AttemptRecord, type LedgerRow } from './loader.ports';
