/**
 * One shopper's local-training throughput: FedRec's tfjs path (fused
 * kernels on cpu/wasm, autodiff elsewhere) against a hand-written
 * Float32Array BPR loop in the same process, interleaved so both see the
 * same machine load. Run from the repo root: `npm run bench:local-training`.
 * The last line of stdout is one JSON object.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, wasmCandidate, cpuCandidate, createSharedModel, createSeededRandomSource, trainLocally, buildPrivateUpdate, DEFAULT_LOCAL_TRAINING, parameterCount } from '@fedrec/core';
import type { BackendCandidate, BackendName } from '@fedrec/core';
import { tfjsNodeCandidate } from '@fedrec/client/node';
import { rawBprEpochs } from './src/raw-bpr.js';
import { median } from './src/stats.js';

const DIM = 32;
const CATALOGUES = [1682, 20000];
/** A heavy shopper: 200 items (MovieLens-100K's 85th percentile is ~190). */
const POSITIVES = 200;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);
// Default hyper-parameters, a heavier training schedule (more negatives and epochs) to measure steady-state throughput.
const config = { ...DEFAULT_LOCAL_TRAINING, negativesPerPositive: 4, userEpochs: 5, epochs: 10 };

interface Result {
  backend: BackendName;
  items: number;
  dim: number;
  tfjsTripletsPerSec: number;
  rawTripletsPerSec: number;
  ratio: number;
  updateBuildMs: number;
}

tf.env().set('PROD', true);
const candidates: BackendCandidate[] = [tfjsNodeCandidate, wasmCandidate, cpuCandidate];
const results: Result[] = [];
for (const candidate of candidates) {
  try {
    await selectBackend([candidate], candidate.name);
  } catch (error) {
    console.log(`# ${candidate.name}: not available here (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    continue;
  }
  for (const items of CATALOGUES) results.push(measure(candidate.name, items));
}
console.log(JSON.stringify({ results }));

function measure(backend: BackendName, items: number): Result {
  const shape = { numItems: items, dim: DIM };
  const model = createSharedModel(shape, { seed: 1 });
  const rng = createSeededRandomSource(`bench/${items}`);
  const chosen = new Set<number>();
  while (chosen.size < POSITIVES) chosen.add(Math.floor(rng.nextFloat() * items));
  const positives = { items: Int32Array.from(chosen).sort(), weights: Float32Array.from({ length: POSITIVES }, (_, i) => 1 + (i % 3)) };

  const runTfjs = (seed: number) => {
    const t0 = performance.now();
    const r = trainLocally({ model, positives, random: createSeededRandomSource(seed), config });
    return r.triplets / ((performance.now() - t0) / 1000);
  };
  const runRaw = (seed: number) => {
    const table = Float32Array.from(model.values);
    const t0 = performance.now();
    const n = rawBprEpochs({
      numItems: items,
      dim: DIM,
      table,
      user: new Float32Array(DIM),
      positives: positives.items,
      weights: positives.weights,
      epochs: config.userEpochs + config.epochs,
      negativesPerPositive: config.negativesPerPositive,
      learningRate: config.learningRate,
      l2: config.l2,
      random: createSeededRandomSource(seed),
    });
    return n / ((performance.now() - t0) / 1000);
  };
  // Warm up both (JIT, wasm heap), then interleave.
  runTfjs(0);
  runRaw(0);
  const tfjs: number[] = [];
  const raw: number[] = [];
  for (let i = 1; i <= REPEATS; i++) {
    tfjs.push(runTfjs(i));
    raw.push(runRaw(i));
  }
  const update = trainLocally({ model, positives, random: createSeededRandomSource(99), config }).delta;
  const buildMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    // Cryptographic noise, as on a real device.
    buildPrivateUpdate(update, { clipNorm: 1, noiseMultiplier: 1 });
    buildMs.push(performance.now() - t0);
  }
  const result: Result = {
    backend,
    items,
    dim: DIM,
    tfjsTripletsPerSec: Math.round(median(tfjs)),
    rawTripletsPerSec: Math.round(median(raw)),
    ratio: Number((median(tfjs) / median(raw)).toFixed(3)),
    updateBuildMs: Number(median(buildMs).toFixed(2)),
  };
  console.log(`# ${backend} ${items}×${DIM} (${parameterCount(shape)} floats): tfjs ${result.tfjsTripletsPerSec}/s, raw ${result.rawTripletsPerSec}/s, ratio ${result.ratio}, update build ${result.updateBuildMs} ms`);
  return result;
}
