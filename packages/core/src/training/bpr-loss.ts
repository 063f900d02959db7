import * as tf from '@tensorflow/tfjs-core';
import '#tfjs-platform';
import { BPR_LOSS, hasFusedBprKernels } from '../kernels/bpr-loss-kernels.js';

export interface BprBatch {
  /** Rows (of the embedding table passed alongside) of the positive items, int32 [B]. */
  readonly positives: tf.Tensor1D;
  /** Rows of the sampled negatives, int32 [B]. */
  readonly negatives: tf.Tensor1D;
  /** Per-triplet weight from the positive's event type, float32 [B]. */
  readonly weights: tf.Tensor1D;
}

export interface BprParams {
  readonly userVector: tf.Tensor1D; // [d]
  readonly itemEmbeddings: tf.Tensor2D; // [W, d]
  readonly itemBiases: tf.Tensor1D; // [W]
}

/**
 * Weighted BPR loss with L2 regularisation (see `bpr-loss-kernels.ts` for the
 * formula). Differentiable with respect to all three parameter tensors.
 *
 * Runs the fused kernel where one is registered (cpu, wasm) and otherwise the
 * same formula composed from stock ops, which tfjs-node and webgl execute
 * natively. The composed form is also the reference the fused kernel is
 * tested against.
 */
export function bprLoss(params: BprParams, batch: BprBatch, l2: number, options: { fused?: boolean } = {}): tf.Scalar {
  const fused = options.fused ?? hasFusedBprKernels(tf.getBackend());
  if (fused) {
    return tf.engine().runKernel(BPR_LOSS, { ...params, ...batch }, { l2 }) as tf.Scalar;
  }
  return bprLossComposed(params, batch, l2);
}

/**
 * `bprLoss` composed from stock ops: the path for backends without the fused
 * kernel, and the reference the kernel is tested against.
 * @internal Not exported by the package; call `bprLoss(…, { fused: false })`.
 */
export function bprLossComposed(params: BprParams, batch: BprBatch, l2: number): tf.Scalar {
  return tf.tidy(() => {
    const { userVector, itemEmbeddings, itemBiases } = params;
    const n = batch.positives.shape[0];
    const vp = tf.gather(itemEmbeddings, batch.positives);
    const vn = tf.gather(itemEmbeddings, batch.negatives);
    const bp = tf.gather(itemBiases, batch.positives);
    const bn = tf.gather(itemBiases, batch.negatives);
    // Functional ops, not chained ones (`.add`): tfjs-core registers chained ops only through a side-effect import the browser bundle leaves out.
    const x = tf.sub(tf.add(tf.sum(tf.mul(tf.sub(vp, vn), userVector), 1), bp), bn);
    const data = tf.sum(tf.mul(batch.weights, tf.softplus(tf.neg(x))));
    const squares = tf.addN([
      tf.mul(n, tf.sum(tf.square(userVector))),
      tf.sum(tf.square(vp)),
      tf.sum(tf.square(vn)),
      tf.sum(tf.square(bp)),
      tf.sum(tf.square(bn)),
    ]);
    return tf.add(data, tf.mul(0.5 * l2, squares)) as tf.Scalar;
  });
}
