import type { SharedModel } from '@fedrec/core';
import type { PopulationSpec } from '../population/population-spec.js';
import type { ClientUpdateSettings, RoundSettings, ChunkResult } from './client-update-chunk.js';

/**
 * Messages between the simulation runner and its worker threads:
 * `init` once per worker (backend), `population` once per simulation (the
 * worker keeps the population it has when the spec is the same), then per
 * round one `model` and any number of `chunk`s.
 */
export type WorkerRequest =
  | { readonly type: 'init'; readonly backend?: string }
  | { readonly type: 'population'; readonly population: PopulationSpec; readonly settings: ClientUpdateSettings }
  | { readonly type: 'model'; readonly model: SharedModel }
  | {
      readonly type: 'chunk';
      readonly chunkId: number;
      readonly round: RoundSettings;
      readonly shoppers: Int32Array;
      /** A spent chunk sum handed back (transferred) for the worker to reuse. */
      readonly scratch?: Float64Array;
    };

export type WorkerResponse =
  | { readonly type: 'ready' }
  | { readonly type: 'chunk'; readonly chunkId: number; readonly result: ChunkResult }
  | { readonly type: 'error'; readonly message: string };
