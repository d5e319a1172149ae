export * from './wait';
export * from './environment';
export * from './kafka-helpers';
export * from './nest-helpers';
export * from './trades';
export * from './lifecycle';
