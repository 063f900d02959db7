import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { SharedModel } from '@fedrec/core';
import { selectBackend, wasmCandidate, cpuCandidate, isBackendName } from '@fedrec/core';
import { createPopulation } from './create-population.js';
import type { Population } from '../population/population.js';
import { computeChunk } from './client-update-chunk.js';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.js';

/**
 * A simulation worker thread: selects its backend once, rebuilds the
 * population from its spec (kept while the next simulation names the same
 * one), holds the current round's model, and computes chunks of client
 * updates.
 */
const port = parentPort;
if (!port) throw new Error('simulation-worker must run in a worker thread');

let population: { readonly key: string; readonly value: Population } | undefined;
let settings: Extract<WorkerRequest, { type: 'population' }>['settings'] | undefined;
let model: SharedModel | undefined;

const reply = (message: WorkerResponse, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (request: WorkerRequest) => {
  void handle(request).catch((error: unknown) => reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});

async function handle(request: WorkerRequest): Promise<void> {
  switch (request.type) {
    case 'init': {
      tf.env().set('PROD', true);
      const backend = request.backend && isBackendName(request.backend) ? request.backend : undefined;
      // tfjs-node is not used in workers: each would load its own libtensorflow.
      await selectBackend([wasmCandidate, cpuCandidate], backend === 'cpu' || backend === 'wasm' ? backend : undefined);
      reply({ type: 'ready' });
      return;
    }
    case 'population': {
      const key = JSON.stringify(request.population);
      if (population?.key !== key) population = { key, value: await createPopulation(request.population) };
      settings = request.settings;
      model = undefined;
      reply({ type: 'ready' });
      return;
    }
    case 'model':
      model = request.model;
      return;
    case 'chunk': {
      if (!population || !settings || !model) throw new Error('worker received a chunk before its population and model');
      const result = computeChunk(population.value, model, settings, request.round, request.shoppers, request.scratch);
      reply({ type: 'chunk', chunkId: request.chunkId, result }, [result.sum.buffer as ArrayBuffer]);
      return;
    }
  }
}
