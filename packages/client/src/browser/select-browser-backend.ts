import * as tf from '@tensorflow/tfjs';
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
  /** Use only this backend (an error if it cannot start here). */
  readonly force?: Exclude<BackendName, 'tensorflow'>;
  /** Where to say which backend was chosen. Default `console.info`. */
  readonly log?: (line: string) => void;
}

/** WebGL: `@tensorflow/tfjs` registers it; it fails to initialise where the page has no WebGL context. */
export const webglCandidate: BackendCandidate = { name: 'webgl', load: async () => {} };

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
 * Picks the tfjs backend for a page: WebGL, else wasm, else plain JS (cpu),
 * and says which. Call once before `createClient` trains or recommends;
 * without it tfjs picks its own default.
 *
 * @example
 * const choice = await selectBrowserBackend({ wasmPaths: '/vendor/tfjs-wasm/' });
 * console.log(choice.name); // 'webgl', 'wasm' or 'cpu'
 */
export async function selectBrowserBackend(options: BrowserBackendOptions = {}): Promise<BackendChoice> {
  // tfjs's development-mode warnings are for model authors, not for shoppers' consoles.
  tf.env().set('PROD', true);
  const choice = await selectBackend([webglCandidate, wasmCandidateAt(options.wasmPaths), cpuCandidate], options.force);
  const skipped = choice.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  const log = options.log ?? ((line: string) => console.info(line));
  log(`tfjs backend: ${choice.name}${options.force ? ' (forced)' : ''}${skipped ? ` (skipped ${skipped})` : ''}`);
  return choice;
}
