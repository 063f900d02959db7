import * as tf from '@tensorflow/tfjs';
import { selectBackend, wasmCandidate, cpuCandidate, createSharedModel, trainLocally, createSeededRandomSource } from '../packages/core/src/index.js';
const which = (process.argv[2] ?? 'wasm') as 'wasm'|'cpu';
const choice = await selectBackend([wasmCandidate, cpuCandidate], which);
console.log('backend', choice.name);
for (const numItems of [1682, 20000]) {
  const model = createSharedModel({ numItems, dim: 32 }, { seed: 1 });
  const rnd = createSeededRandomSource(1);
  const items = Int32Array.from({ length: 200 }, (_, i) => (i * 7) % numItems).sort();
  const positives = { items, weights: new Float32Array(200).fill(1) };
  for (let rep = 0; rep < Number(process.argv[4] ?? 3); rep++) {
    const t0 = performance.now();
    const r = trainLocally({ model, positives, random: rnd, config: { userEpochs: 5, epochs: 20, batchSize: Number(process.argv[3] ?? 256), negativesPerPositive: 4 } });
    const dt = performance.now() - t0;
    console.log(numItems, r.triplets, (r.triplets / dt * 1000).toFixed(0), 'triplets/s', r.lossBefore.toFixed(4), r.lossAfter.toFixed(4), tf.memory().numTensors);
  }
}
