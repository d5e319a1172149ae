import { RecentlyPublished } from './recently-published';

describe('RecentlyPublished: acknowledged payloads of the trades a next cycle re-reads', () => {
  const at = (time: string) => Date.parse(`${time}+08:00`);

  it('knows a trade only with the exact payload it was acknowledged with', () => {
    const recent = new RecentlyPublished();
    recent.remember('JY1', at('2024-01-01T10:00:00'), RecentlyPublished.digest('{"qty":"1"}'));

    expect(recent.has('JY1', RecentlyPublished.digest('{"qty":"1"}'))).toBe(true);
    expect(recent.has('JY1', RecentlyPublished.digest('{"qty":"2"}'))).toBe(false);
    expect(recent.has('JY2', RecentlyPublished.digest('{"qty":"1"}'))).toBe(false);
  });

  it('forgets trades modified before the next window start, keeps the rest', () => {
    const recent = new RecentlyPublished();
    recent.remember('OLD', at('2024-01-01T09:59:59'), 'a');
    recent.remember('EDGE', at('2024-01-01T10:00:00'), 'b');
    recent.remember('NEW', at('2024-01-01T10:05:00'), 'c');

    recent.forgetBefore(at('2024-01-01T10:00:00'));
    expect(recent.size).toBe(2);
    expect(recent.has('OLD', 'a')).toBe(false);
    expect(recent.has('EDGE', 'b')).toBe(true);
  });
});
