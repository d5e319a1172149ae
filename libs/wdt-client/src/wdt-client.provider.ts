import { type Provider } from '@nestjs/common';
import { METRICS, type Metrics } from '@app/observability';
import { WdtClient } from './wdt-client';
import { type WdtClientOptions } from './wdt-client.types';

/** Nest provider of a WdtClient (inject the `WdtClient` class); metrics from ObservabilityModule. */
export const wdtClientProvider = (options: WdtClientOptions): Provider => ({
  provide: WdtClient,
  inject: [METRICS],
  useFactory: (metrics: Metrics) => new WdtClient(options, metrics),
});
