import seedrandom from 'seedrandom';
import { intraListDiversity, type ItemFeatures } from './intra-list-diversity.js';
import { assertItemIndex } from './item-mask.js';
import { rankAmongCandidates, rankInCatalogue } from './rank-of-held-out.js';
import { hitRate, ndcg } from './rank-metrics.js';
import { sampleNegatives } from './sample-negatives.js';
import { topK } from './top-k.js';

/** One user's split: everything but their latest interaction, and that latest item. */
export interface LeaveOneOutUser {
  readonly train: Int32Array;
  readonly heldOut: number;
}

export interface LeaveOneOutOptions<U extends LeaveOneOutUser = LeaveOneOutUser> {
  readonly numItems: number;
  readonly users: Iterable<U>;
  /** Scores for every catalogue item for this user (higher = more recommended). */
  readonly scoreAll: (user: U, userIndex: number) => Float32Array;
  /** List length for HR@K, NDCG@K, coverage and diversity. Default 10. */
  readonly k?: number;
  /** Sampled negatives per user for the sampled protocol. Default 99. */
  readonly negatives?: number;
  /** Seeds the negative sampling; the same seed gives every model the same negatives. */
  readonly seed: string | number;
  /** Enables intra-list diversity; without it that metric is null. */
  readonly diversity?: ItemFeatures;
}

export interface LeaveOneOutReport {
  /** HR@K against `negatives` sampled negatives. */
  readonly hr: number;
  readonly ndcg: number;
  /** HR@K against the full catalogue minus the user's training items. */
  readonly hrFull: number;
  readonly ndcgFull: number;
  /** Fraction of the catalogue in at least one user's full-catalogue top K. */
  readonly coverage: number;
  /** Mean over users of their top K's intra-list diversity; null without features or pairs. */
  readonly intraListDiversity: number | null;
  readonly users: number;
  readonly k: number;
  readonly negatives: number;
}

/**
 * Leave-one-out evaluation for implicit feedback, under both protocols:
 * sampled (held-out item vs `negatives` uniformly drawn items the user never
 * touched, the NCF convention) and full catalogue (vs every item not in the
 * user's training set, which is harsher but unbiased). Ranks use the
 * pessimistic tie rule of `rankOfScore`.
 *
 * Each user's negatives come from their own stream seeded by (seed, user
 * index), so they depend only on the seed and the user's position — not on
 * the model or on the other users — and every model is compared on the same
 * negatives.
 */
export function evaluateLeaveOneOut<U extends LeaveOneOutUser>(options: LeaveOneOutOptions<U>): LeaveOneOutReport {
  const { numItems, users, scoreAll, k = 10, negatives = 99, seed, diversity } = options;
  if (!Number.isInteger(numItems) || numItems < 1) {
    throw new RangeError(`numItems must be a positive integer, got ${numItems}`);
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`k must be a positive integer, got ${k}`);
  }
  if (!Number.isInteger(negatives) || negatives < 0) {
    throw new RangeError(`negatives must be a non-negative integer, got ${negatives}`);
  }

  // One mask reused across users (set, use, clear) rather than a catalogue-sized allocation per user.
  const mask = new Uint8Array(numItems);
  const recommended = new Uint8Array(numItems);
  let covered = 0;
  let count = 0;
  let hrSum = 0;
  let ndcgSum = 0;
  let hrFullSum = 0;
  let ndcgFullSum = 0;
  let diversitySum = 0;
  let diversityUsers = 0;

  for (const user of users) {
    const userIndex = count;
    const { train, heldOut } = user;
    assertItemIndex(heldOut, numItems, 'heldOut');
    for (let i = 0; i < train.length; i++) {
      assertItemIndex(train[i] as number, numItems, 'training item');
    }
    const scores = scoreAll(user, userIndex);
    if (scores.length !== numItems) {
      throw new RangeError(`scoreAll returned ${scores.length} scores for ${numItems} items (user ${userIndex})`);
    }

    for (let i = 0; i < train.length; i++) mask[train[i] as number] = 1;

    // Full catalogue: training items excluded; the held-out item may be recommended (it is the right answer).
    const rankFull = rankInCatalogue(scores, heldOut, mask);
    hrFullSum += hitRate(rankFull, k);
    ndcgFullSum += ndcg(rankFull, k);
    const list = topK(scores, k, mask);
    for (let i = 0; i < list.length; i++) {
      const item = list[i] as number;
      if (recommended[item] === 0) {
        recommended[item] = 1;
        covered++;
      }
    }
    if (diversity !== undefined) {
      const value = intraListDiversity(list, diversity);
      if (value !== null) {
        diversitySum += value;
        diversityUsers++;
      }
    }

    // Sampled: negatives come from items never interacted with, so the held-out item is excluded too.
    mask[heldOut] = 1;
    const candidates = sampleNegatives({
      numItems,
      count: negatives,
      interacted: mask,
      rng: seedrandom(`${String(seed)}/${userIndex}`),
    });
    const rankSampled = rankAmongCandidates(scores, heldOut, candidates);
    hrSum += hitRate(rankSampled, k);
    ndcgSum += ndcg(rankSampled, k);

    for (let i = 0; i < train.length; i++) mask[train[i] as number] = 0;
    mask[heldOut] = 0;
    count++;
  }

  if (count === 0) {
    throw new RangeError('no users to evaluate');
  }
  return {
    hr: hrSum / count,
    ndcg: ndcgSum / count,
    hrFull: hrFullSum / count,
    ndcgFull: ndcgFullSum / count,
    coverage: covered / numItems,
    intraListDiversity: diversityUsers > 0 ? diversitySum / diversityUsers : null,
    users: count,
    k,
    negatives,
  };
}
