import { registerKernel, getKernel } from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap } from '@tensorflow/tfjs';
import { allocOutput, readFloat32, zeroedView, JS_HEAP_BACKENDS } from './kernel-io.js';
import type { JsHeapBackendName } from './kernel-io.js';
import { sigmoid, readBprInputs, bprMargin } from './bpr-loss-kernels.js';
import type { BprLossInputs } from './bpr-loss-kernels.js';

/**
 * One SGD step of weighted BPR, fused into a single kernel: the gradient of
 * the loss in `bpr-loss-kernels.ts` over triplets [start, end) and the update
 *
 *   u ← u − η_u · ∇_u / B      E ← E − η · ∇_E      b ← b − η · ∇_b
 *
 * with every gradient taken at the step's starting point — exactly what
 * `variableGrads` plus `tf.train.sgd` compute, in one kernel launch instead
 * of ~15. For a shopper's small batches the launches, not the arithmetic,
 * are the cost. The whole epoch's triplets are uploaded once and each step
 * names its slice through attributes.
 *
 * Outputs are new tensors [u', E', b'] (tfjs tensors are immutable); E' is a
 * copy of E with the touched rows changed, O(rows · d) memory traffic.
 */
export const BPR_SGD_STEP = 'FedRecBprSgdStep';

export interface BprSgdStepAttrs {
  start: number;
  end: number;
  learningRate: number;
  userLearningRate: number;
  l2: number;
  /** false: move only the user vector (shared parameters frozen). */
  updateItems: boolean;
}

type Backend = Parameters<typeof readFloat32>[0];

const sgdStep: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as Backend;
  const ins = inputs as unknown as BprLossInputs;
  const { start, end, learningRate: lr, userLearningRate: lrUser, l2, updateItems } = attrs as NamedAttrMap & BprSgdStepAttrs;
  const d = ins.userVector.shape[0]!;
  const rows = ins.itemEmbeddings.shape[0]!;
  const uOutInfo = allocOutput(b, [d], 'float32');
  const eOutInfo = allocOutput(b, [rows, d], 'float32');
  const bOutInfo = allocOutput(b, [rows], 'float32');
  const uOut = zeroedView(b, uOutInfo);
  const eOut = readFloat32(b, eOutInfo);
  const bOut = readFloat32(b, bOutInfo);
  const views = readBprInputs(b, ins);
  const { u, emb, bias, pos, neg, w } = views;
  eOut.set(emb);
  bOut.set(bias);
  const n = end - start;
  // uOut accumulates ∇_u; eOut/bOut take each triplet's step directly,
  // computed from the *starting* values in emb/bias. Two loops rather than a
  // branch in the innermost one: this is the hot path of local training.
  for (let k = start; k < end; k++) {
    const pi = pos[k]!;
    const ni = neg[k]!;
    const p = pi * d;
    const q = ni * d;
    const g = -w[k]! * sigmoid(-bprMargin(views, pi, ni, d));
    if (updateItems) {
      const step = lr * g;
      const decay = lr * l2;
      for (let j = 0; j < d; j++) {
        const ep = emb[p + j]!;
        const en = emb[q + j]!;
        const uj = u[j]!;
        uOut[j]! += g * (ep - en);
        eOut[p + j]! -= step * uj + decay * ep;
        eOut[q + j]! += step * uj - decay * en;
      }
      bOut[pi]! -= step + decay * bias[pi]!;
      bOut[ni]! += step - decay * bias[ni]!;
    } else {
      for (let j = 0; j < d; j++) uOut[j]! += g * (emb[p + j]! - emb[q + j]!);
    }
  }
  const scale = n > 0 ? lrUser / n : 0;
  for (let j = 0; j < d; j++) uOut[j] = u[j]! - scale * (uOut[j]! + n * l2 * u[j]!);
  return [uOutInfo, eOutInfo, bOutInfo];
};

export function hasFusedSgdStep(backendName: string): boolean {
  return getKernel(BPR_SGD_STEP, backendName) !== undefined;
}

export function registerBprSgdStep(backends: readonly JsHeapBackendName[] = JS_HEAP_BACKENDS): void {
  for (const backendName of backends) {
    if (!getKernel(BPR_SGD_STEP, backendName)) registerKernel({ kernelName: BPR_SGD_STEP, backendName, kernelFunc: sgdStep });
  }
}
