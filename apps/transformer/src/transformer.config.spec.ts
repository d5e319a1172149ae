import { loadEnv, transformerEnv } from '@app/config';
import { ConsumerGroups, Topics } from '@app/contracts';
import { transformerConsumers } from './transformer.app';

describe('transformer configuration', () => {
  const config = loadEnv(transformerEnv, { MAPPING_FILE: 'config/mapping.demo.yaml' });

  it('defaults to the documented topics, groups and port', () => {
    expect([config.RAW_TOPIC, config.RAW_REPLAY_TOPIC, config.NORMALIZED_TOPIC]).toEqual([
      Topics.rawTrades,
      Topics.rawTradesReplay,
      Topics.normalizedOrders,
    ]);
    expect([config.TRANSFORMER_GROUP_ID, config.TRANSFORMER_REPLAY_GROUP_ID]).toEqual([
      ConsumerGroups.transformer,
      ConsumerGroups.transformerReplay,
    ]);
    expect(config.HTTP_PORT).toBe(3002);
  });

  it('requires MAPPING_FILE', () => {
    expect(() => loadEnv(transformerEnv, {})).toThrow(/MAPPING_FILE is required/);
  });

  it('runs the replay consumer at lower priority than the live one', () => {
    expect(
      transformerConsumers(config).map(({ name, groupId, topics, yieldTo }) => ({
        name,
        groupId,
        topics,
        yieldTo,
      })),
    ).toEqual([
      { name: 'live', groupId: 'erpsync.transformer', topics: ['erp.wdt.trade.raw.v1'], yieldTo: undefined },
      {
        name: 'replay',
        groupId: 'erpsync.transformer.replay',
        topics: ['erp.wdt.trade.raw.replay.v1'],
        yieldTo: 'live',
      },
    ]);
    const liveOnly = loadEnv(transformerEnv, { MAPPING_FILE: 'm.yaml', TRANSFORMER_REPLAY_ENABLED: 'false' });
    expect(transformerConsumers(liveOnly).map((c) => c.name)).toEqual(['live']);
  });
});
