export * from './reconcile-sources';
