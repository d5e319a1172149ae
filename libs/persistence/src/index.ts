export * from './data-source';
export * from './persistence.module';
export * from './entities';
export * from './migrations';
export * from './persistence-env';
