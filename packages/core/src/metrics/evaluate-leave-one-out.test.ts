import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { evaluateLeaveOneOut, type LeaveOneOutUser } from './evaluate-leave-one-out.js';

/** Users with a few random training items each and a held-out item outside them. */
function randomUsers(count: number, numItems: number, seed: string): LeaveOneOutUser[] {
  const rng = seedrandom(seed);
  const users: LeaveOneOutUser[] = [];
  for (let u = 0; u < count; u++) {
    const items = new Set<number>();
    const size = 2 + Math.floor(rng() * 20);
    while (items.size < size) items.add(Math.floor(rng() * numItems));
    const [heldOut, ...train] = items;
    users.push({ heldOut: heldOut as number, train: new Int32Array(train) });
  }
  return users;
}

describe('evaluateLeaveOneOut', () => {
  it('computes a small case by hand', () => {
    const scores = [new Float32Array([0.9, 0.5, 0.7, 0.1, 0.6]), new Float32Array([0.8, 0.2, 0.1, 0.9, 0.3])];
    // Two eligible items per user, so the 2 "sampled" negatives are exactly the full catalogue protocol.
    const users = [
      { train: new Int32Array([0, 3]), heldOut: 1 }, // beaten by items 2 and 4: rank 2
      { train: new Int32Array([3, 4]), heldOut: 0 }, // beats items 1 and 2: rank 0
    ];
    const report = evaluateLeaveOneOut({
      numItems: 5,
      users,
      scoreAll: (_user, index) => scores[index] as Float32Array,
      k: 3,
      negatives: 2,
      seed: 1,
      diversity: { kind: 'categories', categories: new Int32Array([0, 0, 1, 1, 2]) },
    });
    expect(report.users).toBe(2);
    expect(report.hr).toBe(1);
    expect(report.ndcg).toBeCloseTo((1 / Math.log2(4) + 1) / 2, 15);
    expect(report.hrFull).toBe(report.hr);
    expect(report.ndcgFull).toBe(report.ndcg);
    // Top 3 lists: [2, 4, 1] and [0, 1, 2] → items {0, 1, 2, 4}.
    expect(report.coverage).toBeCloseTo(4 / 5, 15);
    // Categories [1, 2, 0] all differ → 1; [0, 0, 1] → 2 of 3 pairs differ.
    expect(report.intraListDiversity).toBeCloseTo((1 + 2 / 3) / 2, 15);
  });

  it('gives a perfect oracle HR = NDCG = 1 under both protocols', () => {
    const numItems = 500;
    const report = evaluateLeaveOneOut({
      numItems,
      users: randomUsers(200, numItems, 'oracle'),
      scoreAll: (user) => {
        const scores = new Float32Array(numItems);
        scores[user.heldOut] = 1;
        return scores;
      },
      seed: 'oracle',
    });
    expect(report).toMatchObject({ hr: 1, ndcg: 1, hrFull: 1, ndcgFull: 1, users: 200, k: 10, negatives: 99 });
    expect(report.intraListDiversity).toBeNull();
  });

  it('still credits the oracle when the held-out item also appears in training (repeat consumption)', () => {
    const report = evaluateLeaveOneOut({
      numItems: 300,
      users: [{ train: new Int32Array([7, 8]), heldOut: 7 }],
      scoreAll: () => {
        const scores = new Float32Array(300);
        scores[7] = 1;
        return scores;
      },
      seed: 0,
    });
    expect(report).toMatchObject({ hr: 1, ndcg: 1, hrFull: 1, ndcgFull: 1 });
  });

  it('gives a constant model nothing: ties count against it', () => {
    const report = evaluateLeaveOneOut({
      numItems: 300,
      users: randomUsers(50, 300, 'constant'),
      scoreAll: () => new Float32Array(300).fill(0.5),
      seed: 'constant',
    });
    expect(report).toMatchObject({ hr: 0, ndcg: 0, hrFull: 0, ndcgFull: 0 });
  });

  it('gives a random scorer a sampled HR@10 near 10 / 100', () => {
    const numItems = 1_000;
    const rng = seedrandom('random-scorer');
    const report = evaluateLeaveOneOut({
      numItems,
      users: randomUsers(2_000, numItems, 'random-users'),
      scoreAll: () => Float32Array.from({ length: numItems }, () => rng()),
      seed: 'random-negatives',
    });
    expect(report.hr).toBeGreaterThan(0.075);
    expect(report.hr).toBeLessThan(0.125);
    // Against ~990 eligible items, a random list hits ~1% of the time.
    expect(report.hrFull).toBeLessThan(0.03);
    // Random lists for 2000 users cover nearly the whole catalogue.
    expect(report.coverage).toBeGreaterThan(0.99);
  });

  it('is deterministic for a seed, and the seed only moves the sampled protocol', () => {
    const numItems = 400;
    const users = randomUsers(300, numItems, 'det');
    // Scores that depend only on (user, item), so repeated calls agree.
    const scoreAll = (_user: LeaveOneOutUser, index: number): Float32Array => {
      const rng = seedrandom(`scores/${index}`);
      return Float32Array.from({ length: numItems }, () => rng());
    };
    const a = evaluateLeaveOneOut({ numItems, users, scoreAll, seed: 42 });
    expect(evaluateLeaveOneOut({ numItems, users, scoreAll, seed: 42 })).toEqual(a);
    const b = evaluateLeaveOneOut({ numItems, users, scoreAll, seed: 43 });
    expect(b.hr === a.hr && b.ndcg === a.ndcg).toBe(false);
    expect(b.hrFull).toBe(a.hrFull);
    expect(b.ndcgFull).toBe(a.ndcgFull);
  });

  it('accepts any iterable of users and passes each its index', () => {
    const seen: number[] = [];
    function* users(): Generator<LeaveOneOutUser & { id: string }> {
      yield { id: 'a', train: new Int32Array([0]), heldOut: 1 };
      yield { id: 'b', train: new Int32Array([2]), heldOut: 3 };
    }
    evaluateLeaveOneOut({
      numItems: 10,
      users: users(),
      scoreAll: (user, index) => {
        seen.push(index);
        expect(user.id).toBe(index === 0 ? 'a' : 'b');
        return new Float32Array(10);
      },
      negatives: 5,
      seed: 's',
    });
    expect(seen).toEqual([0, 1]);
  });

  it('rejects bad input', () => {
    const user = { train: new Int32Array([0]), heldOut: 1 };
    const scoreAll = (): Float32Array => new Float32Array(10);
    expect(() => evaluateLeaveOneOut({ numItems: 10, users: [], scoreAll, seed: 1 })).toThrow(RangeError);
    expect(() => evaluateLeaveOneOut({ numItems: 10, users: [user], scoreAll: () => new Float32Array(9), negatives: 5, seed: 1 })).toThrow(
      RangeError,
    );
    expect(() => evaluateLeaveOneOut({ numItems: 10, users: [{ ...user, heldOut: 10 }], scoreAll, negatives: 5, seed: 1 })).toThrow(
      RangeError,
    );
    expect(() => evaluateLeaveOneOut({ numItems: 10, users: [{ ...user, train: new Int32Array([-1]) }], scoreAll, negatives: 5, seed: 1 })).toThrow(
      RangeError,
    );
    // Only 8 never-interacted items: 99 negatives cannot be drawn.
    expect(() => evaluateLeaveOneOut({ numItems: 10, users: [user], scoreAll, seed: 1 })).toThrow(RangeError);
    expect(() => evaluateLeaveOneOut({ numItems: 10, users: [user], scoreAll, k: 0, negatives: 5, seed: 1 })).toThrow(RangeError);
  });
});
