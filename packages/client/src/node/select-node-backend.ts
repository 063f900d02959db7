import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, wasmCandidate, cpuCandidate, isBackendName, BACKEND_NAMES } from '@fedrec/core';
import type { BackendCandidate, BackendChoice, BackendName } from '@fedrec/core';

/** Environment variable that forces a backend: `tensorflow` (tfjs-node), `wasm` or `cpu`. */
export const BACKEND_ENV = 'FEDREC_BACKEND';

/**
 * tfjs-node, an optionalDependency: it downloads libtensorflow at install
 * time, so where that is unreachable npm skips it and this candidate fails to
 * load — then wasm takes over. The specifier is a variable so that bundlers
 * and the type checker do not insist on the package being present.
 */
export const tfjsNodeCandidate: BackendCandidate = {
  name: 'tensorflow',
  load: async () => {
    const specifier = '@tensorflow/tfjs-node';
    await import(specifier);
  },
};

export const NODE_BACKEND_CANDIDATES: readonly BackendCandidate[] = [tfjsNodeCandidate, wasmCandidate, cpuCandidate];

export interface NodeBackendOptions {
  /** Force a backend; defaults to $FEDREC_BACKEND, else the first that loads. */
  readonly force?: string;
  /** Where to say which backend was chosen (default: stderr). */
  readonly log?: (line: string) => void;
}

/**
 * Pick the tfjs backend for a Node process: tfjs-node if it loads, else wasm,
 * else cpu, and log the choice.
 */
export async function selectNodeBackend(options: NodeBackendOptions = {}): Promise<BackendChoice> {
  const requested = options.force ?? process.env[BACKEND_ENV] ?? undefined;
  let force: BackendName | undefined;
  if (requested !== undefined && requested !== '' && requested !== 'auto') {
    if (!isBackendName(requested) || requested === 'webgl') {
      throw new RangeError(`expected backend to be one of tensorflow, wasm, cpu or auto, got '${requested}'`);
    }
    force = requested;
  }
  // tfjs prints a banner recommending tfjs-node on first use of cpu; we log our own choice instead.
  tf.env().set('PROD', true);
  const choice = await selectBackend(NODE_BACKEND_CANDIDATES, force);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const skipped = choice.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  log(`tfjs backend: ${choice.name}${force ? ' (forced)' : ''}${skipped ? ` (skipped ${skipped})` : ''}`);
  return choice;
}

export { BACKEND_NAMES };
