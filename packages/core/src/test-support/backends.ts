import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerFedRecKernels } from '../backend/register-kernels.js';

/** The backends FedRec's JS kernels serve; tests run against each (tfjs's ALL_ENVS habit). */
export const KERNEL_BACKENDS = ['cpu', 'wasm'] as const;

export async function useBackend(name: (typeof KERNEL_BACKENDS)[number]): Promise<void> {
  registerFedRecKernels();
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}
