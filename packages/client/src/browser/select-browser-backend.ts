import * as tf from '@tensorflow/tfjs-core';
import type { BackendCandidate, BackendChoice, BackendName } from '@fedrec/core';
import { cpuCandidate, selectBackend } from '@fedrec/core';

export interface BrowserBackendOptions {
  /**
   * URL prefix (ending in `/`) under which the page serves the tfjs wasm
   * binaries (`tfjs-backend-wasm.wasm`, `-simd.wasm`, `-threaded-simd.wasm`
   * from `@tensorflow/tfjs-backend-wasm/dist/`). Without it wasm is skipped:
   * tfjs would otherwise fetch them from a CDN, which a privacy-minded shop
   * should not depend on.
   */
  readonly wasmPaths?: string;
  /** Use only this backend (an error if it cannot start here). `'webgl'` is how a page asks for WebGL. */
  readonly force?: Exclude<BackendName, 'tensorflow'>;
  /**
   * Parameters of the shared model the page will train (`numItems × (dim + 1)`).
   * At or above `WEBGL_MIN_PARAMETERS` WebGL is tried first; below it, or
   * when not given, WebGL is not a candidate at all (see `selectBrowserBackend`).
   */
  readonly modelParameters?: number;
  /** Where to say which backend was chosen. Default `console.info`. */
  readonly log?: (line: string) => void;
}

/**
 * Model size (parameters) from which `selectBrowserBackend` tries WebGL
 * first: 2,000,000, e.g. 100,000 products at 19 dimensions. Below it WebGL's
 * set-up (compiling shaders, uploading textures) dominates: with the demo's
 * model, the first personalised list took 1,205 ms on WebGL against 7–8 ms on
 * wasm or cpu in headless Chromium (issue #16). The threshold is deliberately
 * high, since a training step touches only the shopper's rows, not the whole
 * table; a shop with a larger model should measure on its shoppers' devices.
 */
export const WEBGL_MIN_PARAMETERS = 2_000_000;

/**
 * WebGL, imported on demand with tfjs's gradients: WebGL has none of
 * FedRec's fused kernels, so it trains by autodiff. It fails to initialise
 * where the page has no WebGL context.
 */
export const webglCandidate: BackendCandidate = {
  name: 'webgl',
  load: async () => {
    await Promise.all([import('@tensorflow/tfjs-backend-webgl'), import('@tensorflow/tfjs-core/dist/register_all_gradients.js')]);
  },
};

/** wasm, with its binaries fetched from `prefix` on the shop's own origin. */
export function wasmCandidateAt(prefix: string | undefined): BackendCandidate {
  return {
    name: 'wasm',
    load: async () => {
      if (prefix === undefined) throw new Error('no wasmPaths given, so the wasm binaries have nowhere to load from');
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(prefix);
    },
  };
}

/**
 * Picks the tfjs backend for a page: wasm, else plain JS (cpu), and says
 * which; WebGL only when forced or when `modelParameters` reaches
 * `WEBGL_MIN_PARAMETERS` (then WebGL, wasm, cpu). Each backend is imported
 * only when tried, so a page on wasm does not load the others' kernels.
 * Call once before `createClient` trains or recommends: tfjs has no backend
 * until then.
 *
 * @example
 * const choice = await selectBrowserBackend({ wasmPaths: '/vendor/tfjs-wasm/' });
 * console.log(choice.name); // 'wasm', or 'cpu' where wasm cannot start
 */
export async function selectBrowserBackend(options: BrowserBackendOptions = {}): Promise<BackendChoice> {
  // tfjs's development-mode warnings are for model authors, not for shoppers' consoles.
  tf.env().set('PROD', true);
  const choice = await selectBackend(browserCandidates(options), options.force);
  const skipped = choice.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  const log = options.log ?? ((line: string) => console.info(line));
  log(`tfjs backend: ${choice.name}${options.force ? ' (forced)' : ''}${skipped ? ` (skipped ${skipped})` : ''}`);
  return choice;
}

/** The candidates in order of preference for these options (see `selectBrowserBackend`). */
export function browserCandidates(options: Pick<BrowserBackendOptions, 'wasmPaths' | 'modelParameters' | 'force'> = {}): BackendCandidate[] {
  const small = [wasmCandidateAt(options.wasmPaths), cpuCandidate];
  const large = options.modelParameters !== undefined && options.modelParameters >= WEBGL_MIN_PARAMETERS;
  return large || options.force === 'webgl' ? [webglCandidate, ...small] : small;
}
