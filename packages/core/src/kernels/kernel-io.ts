import type { KernelBackend, TensorInfo, DataType } from '@tensorflow/tfjs-core';

/**
 * Zero-copy reads and writes of tensor memory for FedRec's hand-written JS
 * kernels, on the two backends whose memory lives in the JS heap:
 *
 * - `cpu`: each tensor's TypedArray sits in `backend.data`; outputs are
 *   adopted with `makeTensorInfo` without a copy.
 * - `wasm`: tensors live in the module's linear memory; `typedArrayFromHeap`
 *   gives a view, and `makeOutput` allocates inside the heap.
 *
 * Other backends (tfjs-node, webgl) ship native kernels and never run ours.
 */
export const JS_HEAP_BACKENDS = ['cpu', 'wasm'] as const;
export type JsHeapBackendName = (typeof JS_HEAP_BACKENDS)[number];

type NumericArray = Float32Array | Int32Array;

interface CpuLikeBackend {
  data: { get(dataId: object): { values: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: DataType, values: NumericArray): TensorInfo;
}

interface WasmLikeBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): NumericArray;
}

function isWasm(backend: KernelBackend): backend is KernelBackend & WasmLikeBackend {
  return typeof (backend as Partial<WasmLikeBackend>).typedArrayFromHeap === 'function';
}

function isCpu(backend: KernelBackend): backend is KernelBackend & CpuLikeBackend {
  return typeof (backend as Partial<CpuLikeBackend>).makeTensorInfo === 'function' && 'data' in backend;
}

/** Read a float32 or int32 tensor without copying (the caller must not mutate the view). */
export function readValues(backend: KernelBackend, info: TensorInfo): NumericArray {
  if (isWasm(backend)) return backend.typedArrayFromHeap(info);
  if (isCpu(backend)) {
    const values = backend.data.get(info.dataId)?.values;
    if (values instanceof Float32Array || values instanceof Int32Array) return values;
  }
  const values = backend.readSync(info.dataId);
  if (values instanceof Float32Array || values instanceof Int32Array) return values;
  throw new TypeError(`expected a float32 or int32 tensor, got dtype ${info.dtype}`);
}

export function readFloat32(backend: KernelBackend, info: TensorInfo): Float32Array {
  const values = readValues(backend, info);
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

export function readInt32(backend: KernelBackend, info: TensorInfo): Int32Array {
  const values = readValues(backend, info);
  return values instanceof Int32Array ? values : Int32Array.from(values);
}

/**
 * Allocate an output tensor. On wasm, allocating may grow (and so detach) the
 * heap, so a kernel allocates *all* its outputs first and only then takes
 * views of inputs and outputs with {@link readValues} / {@link zeroedView}.
 */
export function allocOutput(backend: KernelBackend, shape: number[], dtype: 'float32' | 'int32'): TensorInfo {
  if (isWasm(backend)) return backend.makeOutput(shape, dtype);
  if (isCpu(backend)) {
    const size = shape.reduce((a, b) => a * b, 1);
    return backend.makeTensorInfo(shape, dtype, dtype === 'float32' ? new Float32Array(size) : new Int32Array(size));
  }
  throw new TypeError('FedRec JS kernels run only on the cpu and wasm backends');
}

/** A writable, zero-filled view of a freshly allocated float32 output (the wasm heap is reused, so zero it). */
export function zeroedView(backend: KernelBackend, info: TensorInfo): Float32Array {
  const values = readValues(backend, info);
  if (!(values instanceof Float32Array)) throw new TypeError(`expected a float32 output, got ${info.dtype}`);
  values.fill(0);
  return values;
}
