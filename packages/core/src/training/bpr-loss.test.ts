import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { bprLoss, bprLossComposed } from './bpr-loss.js';
import { KERNEL_BACKENDS, useBackend } from '../test-support/backends.js';
import { BPR_TRAIN } from '../kernels/bpr-train-kernel.js';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import { gaussianVector } from '../random/gaussian.js';
import { nextInt } from '../random/random-source.js';

interface Problem {
  d: number;
  rows: number;
  u: Float64Array;
  emb: Float64Array;
  bias: Float64Array;
  pos: Int32Array;
  neg: Int32Array;
  w: Float64Array;
}

function randomProblem(seed: number, d = 4, rows = 6, n = 9): Problem {
  const rng = createSeededRandomSource(seed);
  const pos = Int32Array.from({ length: n }, () => nextInt(rng, rows));
  // Repeated rows on purpose: gradients must accumulate.
  const neg = Int32Array.from(pos, (p) => (p + 1 + nextInt(rng, rows - 1)) % rows);
  return {
    d,
    rows,
    u: gaussianVector(d, 0.7, rng),
    emb: gaussianVector(rows * d, 0.7, rng),
    bias: gaussianVector(rows, 0.3, rng),
    pos,
    neg,
    w: Float64Array.from({ length: n }, () => 1 + nextInt(rng, 4)),
  };
}

/** The loss in float64, written independently of the kernels, for finite differences. */
function lossF64(p: Problem, l2: number): number {
  let loss = 0;
  const { d } = p;
  for (let k = 0; k < p.pos.length; k++) {
    const a = p.pos[k]!;
    const b = p.neg[k]!;
    let x = p.bias[a]! - p.bias[b]!;
    let reg = p.bias[a]! ** 2 + p.bias[b]! ** 2;
    for (let j = 0; j < d; j++) {
      x += p.u[j]! * (p.emb[a * d + j]! - p.emb[b * d + j]!);
      reg += p.u[j]! ** 2 + p.emb[a * d + j]! ** 2 + p.emb[b * d + j]! ** 2;
    }
    loss += p.w[k]! * Math.log1p(Math.exp(-x)) + 0.5 * l2 * reg;
  }
  return loss;
}

function tensors(p: Problem) {
  return {
    params: {
      userVector: tf.tensor1d(Float32Array.from(p.u)),
      itemEmbeddings: tf.tensor2d(Float32Array.from(p.emb), [p.rows, p.d]),
      itemBiases: tf.tensor1d(Float32Array.from(p.bias)),
    },
    batch: {
      positives: tf.tensor1d(p.pos, 'int32'),
      negatives: tf.tensor1d(p.neg, 'int32'),
      weights: tf.tensor1d(Float32Array.from(p.w)),
    },
  };
}

function gradsOf(p: Problem, l2: number, fused: boolean): Float32Array[] {
  return tf.tidy(() => {
    const { params, batch } = tensors(p);
    const g = tf.grads((u, e, b) => bprLoss({ userVector: u as tf.Tensor1D, itemEmbeddings: e as tf.Tensor2D, itemBiases: b as tf.Tensor1D }, batch, l2, { fused }));
    return g([params.userVector, params.itemEmbeddings, params.itemBiases]).map((t) => t.dataSync() as Float32Array);
  });
}

const L2 = 0.03;

describe.each(KERNEL_BACKENDS)('fused BPR kernels on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('forward equals the composed reference and the float64 formula', () => {
    for (let seed = 0; seed < 10; seed++) {
      const p = randomProblem(seed);
      const [fused, composed] = tf.tidy(() => {
        const { params, batch } = tensors(p);
        return [bprLoss(params, batch, L2, { fused: true }).dataSync()[0]!, bprLossComposed(params, batch, L2).dataSync()[0]!];
      });
      expect(fused).toBeCloseTo(composed!, 4);
      expect(fused).toBeCloseTo(lossF64(p, L2), 4);
    }
  });

  it('gradient equals central finite differences of the float64 loss', () => {
    const p = randomProblem(42);
    const [gu, ge, gb] = gradsOf(p, L2, true);
    const h = 1e-6;
    const check = (arr: Float64Array, got: Float32Array) => {
      for (let i = 0; i < arr.length; i++) {
        const keep = arr[i]!;
        arr[i] = keep + h;
        const up = lossF64(p, L2);
        arr[i] = keep - h;
        const down = lossF64(p, L2);
        arr[i] = keep;
        expect(got[i]).toBeCloseTo((up - down) / (2 * h), 4);
      }
    };
    check(p.u, gu!);
    check(p.emb, ge!);
    check(p.bias, gb!);
  });

  it('gradient equals autodiff of the composed ops (through tf.gather) on random inputs', () => {
    for (let seed = 100; seed < 110; seed++) {
      const p = randomProblem(seed, 8, 20, 64);
      const fused = gradsOf(p, L2, true);
      const composed = gradsOf(p, L2, false);
      for (let t = 0; t < 3; t++) for (let i = 0; i < fused[t]!.length; i++) expect(fused[t]![i]).toBeCloseTo(composed[t]![i]!, 4);
    }
  });

  it('one step of the fused training kernel equals autodiff plus tf.train.sgd', () => {
    const p = randomProblem(7, 8, 20, 32);
    const lr = 0.05;
    const lrUser = 0.3;
    const [fu, fe, fb] = tf.tidy(() => {
      const { params, batch } = tensors(p);
      const attrs = { epochLength: 32, epochs: 1, userEpochs: 0, batchSize: 32, learningRate: lr, userLearningRate: lrUser, l2: L2 };
      const out = tf.engine().runKernel(BPR_TRAIN, { ...params, ...batch }, attrs) as tf.Tensor[];
      return out.map((t) => t.dataSync());
    });
    const { params, batch } = tensors(p);
    const u = tf.variable(params.userVector);
    const e = tf.variable(params.itemEmbeddings);
    const b = tf.variable(params.itemBiases);
    const slice = batch;
    const { grads } = tf.variableGrads(() => bprLoss({ userVector: u, itemEmbeddings: e, itemBiases: b }, slice, L2), [u, e, b]);
    tf.train.sgd(lrUser).applyGradients({ [u.name]: tf.div(grads[u.name]!, 32) });
    tf.train.sgd(lr).applyGradients({ [e.name]: grads[e.name]!, [b.name]: grads[b.name]! });
    const want = [u.dataSync(), e.dataSync(), b.dataSync()];
    [fu, fe, fb].forEach((got, t) => got!.forEach((v, i) => expect(v).toBeCloseTo(want[t]![i]!, 5)));
    tf.dispose([u, e, b]);
  });
});
