import { registerUnsortedSegmentSumEverywhere } from '../kernels/unsorted-segment-sum.js';
import { registerFusedBprKernels } from '../kernels/bpr-loss-kernels.js';
import { registerBprTrainKernel } from '../kernels/bpr-train-kernel.js';

let registered = false;

/**
 * Register FedRec's JS kernels for the cpu and wasm backends: the linear-time
 * `UnsortedSegmentSum` behind every embedding gradient, and the fused BPR
 * loss and the fused training loop. Idempotent and cheap: called by training before its first step.
 */
export function registerFedRecKernels(): void {
  if (registered) return;
  registerUnsortedSegmentSumEverywhere();
  registerFusedBprKernels();
  registerBprTrainKernel();
  registered = true;
}
