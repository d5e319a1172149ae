/**
 * @app/kafka — how a service uses it:
 *
 *   // app.module.ts
 *   imports: [
 *     ObservabilityModule.forRoot({ service, version, commit, logLevel }),
 *     KafkaModule.forRoot({ connection: { brokers, clientId }, bootstrap: { topics: allTopics(), partitions, replicationFactor } }),
 *   ]
 *   // a consumer: a plain function (message, context) => Promise<Outcome>. Expected outcomes are values
 *   // (Outcome.done, Outcome.skip, Outcome.deadLetter(reason, error), Outcome.retry(error)); a thrown error
 *   // is mapped by its class: RetriableError → retry, FatalError → stop and turn readiness red, anything
 *   // else → dead-letter. The runner alone writes the DLQ (deadLetterHeaders) and commits offsets.
 *   const handle = async (message: ConsumedMessage, context: HandlerContext): Promise<Outcome> => { …; return Outcome.done; };
 *   // the service's app factory
 *   const app = await createServiceApp(AppModule);   // @app/observability: pino logger, shutdown hooks
 *   await app.init();                                 // topics bootstrapped, producer connected
 *   await startKafkaConsumers(app, [{ name: 'live', groupId: ConsumerGroups.transformer, topics: [Topics.rawTrades], partitionConcurrency: 6, handler: handle },
 *                                   { name: 'replay', groupId: ConsumerGroups.transformerReplay, topics: [Topics.rawTradesReplay], yieldTo: 'live', handler: handle }]);
 *   await app.listen(port, host);
 *
 * Producing: inject BatchingProducer and `await producer.send(topic, [{ key, value, headers }])` — it resolves
 * once Kafka acknowledged (acks = all); concurrent sends share requests.
 * Compiled services run as `node scripts/start.js <service>` (resolves @app/* in dist/).
 */
export * from './consumer.types';
export * from './consumer-lag';
export * from './consumer-runner';
export * from './kafka.factory';
export * from './kafka-consumers';
export * from './kafka-headers';
export * from './kafka-health';
export * from './kafka.module';
export * from './producer';
export * from './topic-bootstrap';
