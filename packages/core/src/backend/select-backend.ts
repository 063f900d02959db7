import * as tf from '@tensorflow/tfjs-core';
import '#tfjs-platform';
import { registerFedRecKernels } from './register-kernels.js';

/**
 * tfjs backends in FedRec's order of preference. `tensorflow` is tfjs-node
 * (native libtensorflow), loaded only where it installed.
 */
export const BACKEND_NAMES = ['tensorflow', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendCandidate {
  readonly name: BackendName;
  /** Make the backend available (e.g. import its package). Rejects if it cannot load here. */
  readonly load: () => Promise<void>;
}

export interface BackendChoice {
  readonly name: BackendName;
  /** Why each preferred backend before it was skipped. */
  readonly skipped: readonly { readonly name: BackendName; readonly reason: string }[];
}

export class BackendUnavailableError extends Error {
  readonly code = 'BACKEND_UNAVAILABLE';
  constructor(name: string, reason: string) {
    super(`backend '${name}' is not available here: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

/** The platform-neutral candidates: wasm (its .wasm files ship in the package), then cpu. */
export const wasmCandidate: BackendCandidate = {
  name: 'wasm',
  load: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
  },
};
/** Plain JS. Imported on demand, so that a bundle on wasm does not carry its kernels (in Node the umbrella has loaded it already). */
export const cpuCandidate: BackendCandidate = {
  name: 'cpu',
  load: async () => {
    await import('@tensorflow/tfjs-backend-cpu');
  },
};

/**
 * Try candidates in order and activate the first that loads and initialises;
 * with `force`, only that one (an error if it is unavailable, rather than a
 * silent fallback the user did not ask for). Registers FedRec's kernels.
 */
export async function selectBackend(candidates: readonly BackendCandidate[], force?: BackendName): Promise<BackendChoice> {
  registerFedRecKernels();
  const list = force ? candidates.filter((c) => c.name === force) : candidates;
  if (force && list.length === 0) throw new BackendUnavailableError(force, 'not a candidate on this platform');
  const skipped: { name: BackendName; reason: string }[] = [];
  for (const candidate of list) {
    try {
      await candidate.load();
      await withoutProcessListenersAdded(async () => {
        const ok = await tf.setBackend(candidate.name);
        if (!ok) throw new Error('initialisation failed');
        await tf.ready();
      });
      return { name: candidate.name, skipped };
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      if (force) throw new BackendUnavailableError(candidate.name, reason);
      skipped.push({ name: candidate.name, reason });
    }
  }
  throw new BackendUnavailableError(list.map((c) => c.name).join(', '), 'no candidate loaded');
}

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
interface ProcessListeners {
  listeners(event: ProcessEvent): ((...args: unknown[]) => void)[];
  removeListener(event: ProcessEvent, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Runs `initialise` and then removes any process-wide 'uncaughtException' or
 * 'unhandledRejection' listener it added. tfjs-backend-wasm's Emscripten glue
 * adds one of each in Node, and both rethrow: the process still dies, but Node
 * then reports the rethrow site, a minified line of tens of kilobytes, instead
 * of the error, and exits 7 instead of 1, so any error a simulation or a
 * benchmark does not catch becomes unreadable. Without them Node reports the
 * error itself. In browsers there is no `process` and nothing to do.
 */
async function withoutProcessListenersAdded(initialise: () => Promise<void>): Promise<void> {
  const maybe = (globalThis as { process?: Partial<ProcessListeners> }).process;
  const node = typeof maybe?.listeners === 'function' && typeof maybe.removeListener === 'function' ? (maybe as ProcessListeners) : undefined;
  const events: readonly ProcessEvent[] = ['uncaughtException', 'unhandledRejection'];
  const before = new Map(events.map((event) => [event, new Set(node?.listeners(event) ?? [])]));
  try {
    await initialise();
  } finally {
    if (node !== undefined) {
      for (const event of events) {
        for (const listener of node.listeners(event)) if (!before.get(event)!.has(listener)) node.removeListener(event, listener);
      }
    }
  }
}
