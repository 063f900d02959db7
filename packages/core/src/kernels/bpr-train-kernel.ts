import { registerKernel, getKernel } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap } from '@tensorflow/tfjs-core';
import { allocOutput, readFloat32, JS_HEAP_BACKENDS } from './kernel-io.js';
import type { JsHeapBackendName } from './kernel-io.js';
import { sigmoid, readBprInputs, bprMargin } from './bpr-loss-kernels.js';
import type { BprLossInputs } from './bpr-loss-kernels.js';

/**
 * A shopper's whole local training — every epoch, every minibatch SGD step of
 * weighted BPR — in one kernel launch.
 *
 * Each step is exactly what autodiff of the loss in `bpr-loss-kernels.ts`
 * plus `tf.train.sgd` computes for the batch (gradients at the step's
 * starting point; the user vector steps on the batch mean):
 *
 *   u ← u − η_u · ∇_u / B      E ← E − η · ∇_E      b ← b − η · ∇_b
 *
 * Why one launch: a shopper has a few hundred triplets per epoch, so the
 * cost of a step is the ~15 kernel launches and tensor copies around it,
 * not the arithmetic. Here the whole schedule runs in one pass over
 * Float32Arrays, and a step touches only the rows in its batch: gradients
 * accumulate in a scratch table and are applied row by row, so a step costs
 * O(batch · d) however large the working set.
 *
 * Inputs: the shopper vector [d], the working set's embeddings [W, d] and
 * biases [W], and all epochs' triplets concatenated (positives, negatives:
 * int32 rows of the working set; weights). Schedule in attributes: epochs of
 * `epochLength` triplets, the first `userEpochs` of them moving only the
 * shopper vector (shared parameters frozen), batches of `batchSize` that
 * never span two epochs. Outputs: [u', E', b'].
 */
export const BPR_TRAIN = 'FedRecBprTrain';

export interface BprTrainAttrs {
  epochLength: number;
  epochs: number;
  userEpochs: number;
  batchSize: number;
  learningRate: number;
  userLearningRate: number;
  l2: number;
}

type Backend = Parameters<typeof readFloat32>[0];

const train: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as Backend;
  const ins = inputs as unknown as BprLossInputs;
  const { epochLength, epochs, userEpochs, batchSize, learningRate: lr, userLearningRate: lrUser, l2 } = attrs as NamedAttrMap & BprTrainAttrs;
  const d = ins.userVector.shape[0]!;
  const rows = ins.itemEmbeddings.shape[0]!;
  const uInfo = allocOutput(b, [d], 'float32');
  const eInfo = allocOutput(b, [rows, d], 'float32');
  const bInfo = allocOutput(b, [rows], 'float32');
  // Views only now that every output exists (wasm heap growth detaches views).
  const u = readFloat32(b, uInfo);
  const emb = readFloat32(b, eInfo);
  const bias = readFloat32(b, bInfo);
  const input = readBprInputs(b, ins);
  u.set(input.u);
  emb.set(input.emb);
  bias.set(input.bias);
  const { pos, neg, w } = input;
  const state = { u, emb, bias, pos, neg, w };

  const gradU = new Float64Array(d);
  const gradE = new Float32Array(rows * d);
  const gradB = new Float64Array(rows);
  const touched = new Uint8Array(rows);
  const touchedList = new Int32Array(Math.min(rows, 2 * batchSize));
  for (let e = 0; e < epochs; e++) {
    const joint = e >= userEpochs;
    const epochEnd = (e + 1) * epochLength;
    for (let start = e * epochLength; start < epochEnd; start += batchSize) {
      const end = Math.min(epochEnd, start + batchSize);
      const n = end - start;
      gradU.fill(0);
      let touchedCount = 0;
      // Accumulate: everything reads the step's starting values.
      for (let k = start; k < end; k++) {
        const pi = pos[k]!;
        const ni = neg[k]!;
        const g = -w[k]! * sigmoid(-bprMargin(state, pi, ni, d));
        const p = pi * d;
        const q = ni * d;
        for (let j = 0; j < d; j++) gradU[j]! += g * (emb[p + j]! - emb[q + j]!);
        if (!joint) continue;
        for (let j = 0; j < d; j++) {
          gradE[p + j]! += g * u[j]! + l2 * emb[p + j]!;
          gradE[q + j]! += -g * u[j]! + l2 * emb[q + j]!;
        }
        gradB[pi]! += g + l2 * bias[pi]!;
        gradB[ni]! += -g + l2 * bias[ni]!;
        if (!touched[pi]) {
          touched[pi] = 1;
          touchedList[touchedCount++] = pi;
        }
        if (!touched[ni]) {
          touched[ni] = 1;
          touchedList[touchedCount++] = ni;
        }
      }
      // Apply, then clear the scratch rows this step used.
      const userStep = lrUser / n;
      for (let j = 0; j < d; j++) u[j] = u[j]! - userStep * (gradU[j]! + n * l2 * u[j]!);
      for (let t = 0; t < touchedCount; t++) {
        const r = touchedList[t]!;
        const o = r * d;
        for (let j = 0; j < d; j++) {
          emb[o + j] = emb[o + j]! - lr * gradE[o + j]!;
          gradE[o + j] = 0;
        }
        bias[r] = bias[r]! - lr * gradB[r]!;
        gradB[r] = 0;
        touched[r] = 0;
      }
    }
  }
  return [uInfo, eInfo, bInfo];
};

export function hasFusedTrainKernel(backendName: string): boolean {
  return getKernel(BPR_TRAIN, backendName) !== undefined;
}

export function registerBprTrainKernel(backends: readonly JsHeapBackendName[] = JS_HEAP_BACKENDS): void {
  for (const backendName of backends) {
    if (!getKernel(BPR_TRAIN, backendName)) registerKernel({ kernelName: BPR_TRAIN, backendName, kernelFunc: train });
  }
}
