import { registerKernel, registerGradient, getKernel, getGradient, engine } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo, NamedAttrMap, Tensor, GradConfig } from '@tensorflow/tfjs-core';
import { allocOutput, readFloat32, readInt32, zeroedView, JS_HEAP_BACKENDS } from './kernel-io.js';
import type { JsHeapBackendName } from './kernel-io.js';

/**
 * Fused BPR loss over a batch of (positive, negative) pairs for one shopper,
 * as a pair of tfjs kernels (forward and gradient) for the cpu and wasm
 * backends.
 *
 * Why fused: the same loss composed from `gather`, `sub`, `matMul`,
 * `softplus`, … costs ~50 kernel launches per step forwards and backwards,
 * and the launch overhead, not arithmetic, dominates for the small batches a
 * single shopper has. One pass over the batch does the same arithmetic, and
 * the gradient is sparse by construction (only rows in the batch are touched).
 *
 * For triplet k with x_k = u·(E[p_k] − E[n_k]) + b[p_k] − b[n_k]:
 *
 *   loss = Σ_k [ w_k · softplus(−x_k)
 *                + (λ/2)(‖u‖² + ‖E[p_k]‖² + ‖E[n_k]‖² + b[p_k]² + b[n_k]²) ]
 *
 * which is the classic BPR-Opt objective (Rendle et al. 2009) with per-event
 * weights, `softplus(−x) = −log σ(x)`. It is a sum, not a mean, so that an
 * item row's step does not shrink with the batch size (each row appears in
 * few triplets); the trainer averages the user vector's gradient instead,
 * since every triplet in the batch touches it.
 */
export const BPR_LOSS = 'FedRecBprLoss';
export const BPR_LOSS_GRAD = 'FedRecBprLossGrad';

export interface BprLossInputs {
  userVector: TensorInfo; // [d]
  itemEmbeddings: TensorInfo; // [W, d]
  itemBiases: TensorInfo; // [W]
  positives: TensorInfo; // [B] int32, rows of itemEmbeddings
  negatives: TensorInfo; // [B] int32
  weights: TensorInfo; // [B] float32
}
export interface BprLossAttrs {
  l2: number;
}

/** Numerically stable log(1 + e^z). */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** σ(z) = 1 / (1 + e^−z), without overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

type Backend = Parameters<typeof readFloat32>[0];

/** Zero-copy views of a BPR kernel's six inputs. */
export interface BprViews {
  readonly u: Float32Array;
  readonly emb: Float32Array;
  readonly bias: Float32Array;
  readonly pos: Int32Array;
  readonly neg: Int32Array;
  readonly w: Float32Array;
}

/** Take the input views — only after allocating every output (wasm heap growth detaches views). */
export function readBprInputs(backend: Backend, ins: BprLossInputs): BprViews {
  return {
    u: readFloat32(backend, ins.userVector),
    emb: readFloat32(backend, ins.itemEmbeddings),
    bias: readFloat32(backend, ins.itemBiases),
    pos: readInt32(backend, ins.positives),
    neg: readInt32(backend, ins.negatives),
    w: readFloat32(backend, ins.weights),
  };
}

/** x = u·(E[p] − E[n]) + b[p] − b[n]: how much more the shopper is predicted to like p than n. */
export function bprMargin(v: BprViews, pi: number, ni: number, d: number): number {
  const p = pi * d;
  const q = ni * d;
  let x = v.bias[pi]! - v.bias[ni]!;
  for (let j = 0; j < d; j++) x += v.u[j]! * (v.emb[p + j]! - v.emb[q + j]!);
  return x;
}

function batchSize(inputs: BprLossInputs): number {
  return inputs.positives.shape[0] ?? 0;
}

const forward: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as Backend;
  const ins = inputs as unknown as BprLossInputs;
  const { l2 } = attrs as NamedAttrMap & BprLossAttrs;
  const outInfo = allocOutput(b, [], 'float32');
  const out = zeroedView(b, outInfo);
  const views = readBprInputs(b, ins);
  const { u, emb, bias, pos, neg, w } = views;
  const d = u.length;
  const n = batchSize(ins);
  let data = 0;
  let rowReg = 0;
  for (let k = 0; k < n; k++) {
    const p = pos[k]! * d;
    const q = neg[k]! * d;
    let x = bias[pos[k]!]! - bias[neg[k]!]!;
    for (let j = 0; j < d; j++) {
      const ep = emb[p + j]!;
      const en = emb[q + j]!;
      x += u[j]! * (ep - en);
      rowReg += ep * ep + en * en;
    }
    rowReg += bias[pos[k]!]! ** 2 + bias[neg[k]!]! ** 2;
    data += w[k]! * softplus(-x);
  }
  let userReg = 0;
  for (let j = 0; j < d; j++) userReg += u[j]! * u[j]!;
  out[0] = data + 0.5 * l2 * (rowReg + n * userReg);
  return outInfo;
};

const gradient: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as Backend;
  const ins = inputs as unknown as BprLossInputs & { dy: TensorInfo };
  const { l2 } = attrs as NamedAttrMap & BprLossAttrs;
  const d = ins.userVector.shape[0]!;
  const rows = ins.itemEmbeddings.shape[0]!;
  const dUserInfo = allocOutput(b, [d], 'float32');
  const dEmbInfo = allocOutput(b, [rows, d], 'float32');
  const dBiasInfo = allocOutput(b, [rows], 'float32');
  const dUser = zeroedView(b, dUserInfo);
  const dEmb = zeroedView(b, dEmbInfo);
  const dBias = zeroedView(b, dBiasInfo);
  const views = readBprInputs(b, ins);
  const { u, emb, bias, pos, neg, w } = views;
  const dy = readFloat32(b, ins.dy)[0]!;
  const n = batchSize(ins);
  const rowDecay = l2 * dy;
  for (let k = 0; k < n; k++) {
    const pi = pos[k]!;
    const ni = neg[k]!;
    const p = pi * d;
    const q = ni * d;
    const x = bprMargin(views, pi, ni, d);
    // d/dx softplus(−x) = −σ(−x)
    const g = -w[k]! * sigmoid(-x) * dy;
    for (let j = 0; j < d; j++) {
      const ep = emb[p + j]!;
      const en = emb[q + j]!;
      dUser[j]! += g * (ep - en);
      dEmb[p + j]! += g * u[j]! + rowDecay * ep;
      dEmb[q + j]! += -g * u[j]! + rowDecay * en;
    }
    dBias[pi]! += g + rowDecay * bias[pi]!;
    dBias[ni]! += -g + rowDecay * bias[ni]!;
  }
  for (let j = 0; j < d; j++) dUser[j]! += n * rowDecay * u[j]!;
  return [dUserInfo, dEmbInfo, dBiasInfo];
};

const INPUT_ORDER = ['userVector', 'itemEmbeddings', 'itemBiases', 'positives', 'negatives', 'weights'] as const;

const gradConfig: GradConfig = {
  kernelName: BPR_LOSS,
  inputsToSave: [...INPUT_ORDER],
  gradFunc: (dy, saved, attrs) => {
    const [userVector, itemEmbeddings, itemBiases, positives, negatives, weights] = saved as Tensor[];
    // One fused pass yields all three gradients. Run it here, not inside the
    // thunks: the engine calls each thunk in its own tidy scope, which would
    // dispose the sibling gradients computed alongside.
    const [dUser, dEmb, dBias] = engine().runKernel(
      BPR_LOSS_GRAD,
      { userVector: userVector!, itemEmbeddings: itemEmbeddings!, itemBiases: itemBiases!, positives: positives!, negatives: negatives!, weights: weights!, dy: dy as Tensor },
      attrs as NamedAttrMap,
    ) as Tensor[];
    return {
      userVector: () => dUser!,
      itemEmbeddings: () => dEmb!,
      itemBiases: () => dBias!,
    };
  },
};

/** Whether the fused kernels can run on `backendName`. */
export function hasFusedBprKernels(backendName: string): boolean {
  return getKernel(BPR_LOSS, backendName) !== undefined;
}

/** Register the fused kernels for the cpu and wasm backends (idempotent). */
export function registerFusedBprKernels(backends: readonly JsHeapBackendName[] = JS_HEAP_BACKENDS): void {
  for (const backendName of backends) {
    if (!getKernel(BPR_LOSS, backendName)) registerKernel({ kernelName: BPR_LOSS, backendName, kernelFunc: forward });
    if (!getKernel(BPR_LOSS_GRAD, backendName)) registerKernel({ kernelName: BPR_LOSS_GRAD, backendName, kernelFunc: gradient });
  }
  if (!getGradient(BPR_LOSS)) registerGradient(gradConfig);
}
