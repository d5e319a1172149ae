import { between, seededRandom, shuffled } from './seeded-random';

describe('seededRandom', () => {
  it('gives the mulberry32 sequence of its seed (seeded sandbox data depends on it)', () => {
    const random = seededRandom(42);
    expect([random(), random(), random()]).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099,
    ]);
    const faults = seededRandom(7);
    expect([faults(), faults()]).toEqual([0.011704753153026104, 0.06195825757458806]);
  });

  it('repeats itself for the same seed and differs for another', () => {
    const a = seededRandom(123);
    const b = seededRandom(123);
    const c = seededRandom(124);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
  });
});

describe('shuffled and between', () => {
  it('shuffles a copy deterministically and keeps every item', () => {
    const items = [1, 2, 3, 4, 5, 6];
    const once = shuffled(items, seededRandom(5));
    expect(shuffled(items, seededRandom(5))).toEqual(once);
    expect([...once].sort()).toEqual(items);
    expect(items).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('draws whole numbers within both bounds', () => {
    expect(between(() => 0, 3, 5)).toBe(3);
    expect(between(() => 0.9999, 3, 5)).toBe(5);
    expect(between(() => 0.5, 3, 5)).toBe(4);
  });
});
