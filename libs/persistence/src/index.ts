export * from './data-source';
export * from './persistence.module';
export * from './migrations';
export * from './checkpoint/checkpoint.repository';
export * from './ledger/ledger.types';
export * from './ledger/ledger.repository';
export * from './master-data/master-data.types';
export * from './master-data/master-data.repository';
