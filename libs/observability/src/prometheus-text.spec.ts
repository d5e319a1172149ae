import { parsePrometheusText, sumOf } from './prometheus-text';

describe('prometheus text parsing (progress display)', () => {
  const text = [
    '# HELP erpsync_loader_orders_total Normalized orders by loader outcome',
    '# TYPE erpsync_loader_orders_total counter',
    'erpsync_loader_orders_total{outcome="created"} 120',
    'erpsync_loader_orders_total{outcome="updated"} 7',
    'erpsync_kafka_consumer_lag_messages{topic="sales.order.normalized.v1",partition="0"} 3',
    'erpsync_build_info{service="loader",version="0.1.0",commit="a\\"b"} 1',
    'process_cpu_seconds_total 0.5',
  ].join('\n');

  it('sums samples by name and label subset', () => {
    const samples = parsePrometheusText(text);
    expect(sumOf(samples, 'erpsync_loader_orders_total')).toBe(127);
    expect(sumOf(samples, 'erpsync_loader_orders_total', { outcome: 'updated' })).toBe(7);
    expect(sumOf(samples, 'erpsync_kafka_consumer_lag_messages', { partition: '0' })).toBe(3);
    expect(sumOf(samples, 'process_cpu_seconds_total')).toBe(0.5);
    expect(samples.find((s) => s.name === 'erpsync_build_info')!.labels.commit).toBe('a"b');
  });
});
