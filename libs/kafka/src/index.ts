/**
 * @app/kafka — how a service uses it:
 *
 *   // app.module.ts
 *   imports: [
 *     ObservabilityModule.forRoot({ service, version, commit, logLevel }),
 *     KafkaModule.forRoot({ connection: { brokers, clientId }, bootstrap: { topics: allTopics(), partitions, replicationFactor } }),
 *   ]
 *   // a consumer: a controller method per topic. Use @ConsumeTopic (not a bare @EventPattern): it keeps the
 *   // class of thrown errors, which decides retry (RetriableError), dead-letter (NonRetriableError, anything
 *   // else) or stop-and-turn-readiness-red (FatalError).
 *   @Controller() class RawTradeConsumer {
 *     constructor(private readonly producer: BatchingProducer) {}
 *     @ConsumeTopic(Topics.rawTrades)
 *     async handle(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> { …; await this.producer.send(topic, [...]); return 'success'; }
 *   }
 *   // main.ts
 *   const app = await NestFactory.create(AppModule, { bufferLogs: true });
 *   app.enableShutdownHooks();
 *   connectKafkaConsumers(app, [{ name: 'live', groupId: ConsumerGroups.transformer, topics: [Topics.rawTrades], partitionConcurrency: 6 },
 *                               { name: 'replay', groupId: ConsumerGroups.transformerReplay, topics: [Topics.rawTradesReplay], yieldTo: 'live' }]);
 *   await app.startAllMicroservices();
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
export * from './kafka-health';
export * from './kafka.module';
export * from './kafka-transport';
export * from './producer';
export * from './topic-bootstrap';
