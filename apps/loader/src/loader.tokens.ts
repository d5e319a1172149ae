import { type EnvConfig, type loaderEnv } from '@app/config';

export type LoaderConfig = EnvConfig<typeof loaderEnv>;

export const XINGCHEN_CLIENT = Symbol('XINGCHEN_CLIENT');
export const LEDGER_STORE = Symbol('LEDGER_STORE');
export const MASTER_DATA = Symbol('MASTER_DATA');
export const LOADER_CONFIG = Symbol('LOADER_CONFIG');
