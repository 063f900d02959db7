import type { SharedModel } from '@fedrec/core';
import type { PopulationSpec } from '../population/population-spec.js';
import type { ClientUpdateSettings, RoundSettings, ChunkResult } from './client-update-chunk.js';

/** Messages between the simulation runner and its worker threads. */
export type WorkerRequest =
  | { readonly type: 'init'; readonly population: PopulationSpec; readonly settings: ClientUpdateSettings; readonly backend?: string }
  | { readonly type: 'model'; readonly model: SharedModel }
  | { readonly type: 'chunk'; readonly chunkId: number; readonly round: RoundSettings; readonly shoppers: Int32Array };

export type WorkerResponse =
  | { readonly type: 'ready' }
  | { readonly type: 'chunk'; readonly chunkId: number; readonly result: ChunkResult }
  | { readonly type: 'error'; readonly message: string };
