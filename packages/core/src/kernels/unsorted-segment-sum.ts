import { registerKernel, unregisterKernel, getKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo, NamedAttrMap } from '@tensorflow/tfjs-core';
import { allocOutput, readValues, JS_HEAP_BACKENDS } from './kernel-io.js';
import type { JsHeapBackendName } from './kernel-io.js';

/**
 * A linear-time `UnsortedSegmentSum` for the cpu and wasm backends.
 *
 * Why: the gradient of `tf.gather` — every embedding lookup — is an
 * unsorted segment sum over the looked-up rows. The stock cpu kernel builds
 * it from one tensor op per segment (O(segments) kernel launches: seconds per
 * step over a 1,682-item catalogue), and the wasm backend has no kernel at
 * all, so training through `tf.gather` there throws. This kernel is one pass
 * over the input: out[segmentIds[i], :] += x[i, :], dropping ids outside
 * [0, numSegments) as TensorFlow does.
 */
const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as NamedAttrMap & { numSegments: number };
  const kernelBackend = backend as Parameters<typeof readValues>[0];
  const segments = segmentIds.shape.reduce((a, b) => a * b, 1);
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const dtype = x.dtype === 'int32' ? 'int32' : 'float32';
  const outInfo = allocOutput(kernelBackend, [numSegments, ...rowShape], dtype);
  // Views only after every allocation (wasm heap growth detaches old views).
  const out = readValues(kernelBackend, outInfo);
  out.fill(0);
  const xs = readValues(kernelBackend, x);
  const ids = readValues(kernelBackend, segmentIds);
  for (let i = 0; i < segments; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * rowSize;
    const dst = s * rowSize;
    for (let j = 0; j < rowSize; j++) out[dst + j]! += xs[src + j]!;
  }
  return outInfo;
};

/**
 * Register the fast kernel for `backendName`, replacing the stock one.
 * Idempotent.
 */
export function registerUnsortedSegmentSum(backendName: JsHeapBackendName): void {
  const existing = getKernel('UnsortedSegmentSum', backendName);
  if (existing?.kernelFunc === unsortedSegmentSum) return;
  if (existing) unregisterKernel('UnsortedSegmentSum', backendName);
  const config: KernelConfig = { kernelName: 'UnsortedSegmentSum', backendName, kernelFunc: unsortedSegmentSum };
  registerKernel(config);
}

export function registerUnsortedSegmentSumEverywhere(): void {
  for (const name of JS_HEAP_BACKENDS) registerUnsortedSegmentSum(name);
}
