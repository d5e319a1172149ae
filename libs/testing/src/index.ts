/**
 * Helpers for the suites under test/ and the unit specs: waits (waitFor, sleep, uniqueName), the
 * test broker (testKafka, suiteBroker, topics, produce/read), Nest apps on random ports
 * (listenLocally, listeningUrl), set-up and tear-down (closeAfterAll, listening) and WDT trade
 * builders (aTrade, aTradeLine, tradeFactory). Not compiled into dist/: production code never imports it.
 */
export * from './wait';
export * from './environment';
export * from './kafka-helpers';
export * from './nest-helpers';
export * from './trades';
export * from './lifecycle';
