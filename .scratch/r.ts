import { createSharedModel, createSeededRandomSource } from '../packages/core/src/index.js';
import { rawBprEpochs } from '../benchmarks/src/raw-bpr.js';
for (const numItems of [1682, 20000]) {
  const model = createSharedModel({ numItems, dim: 32 }, { seed: 1 });
  const items = Int32Array.from({ length: 200 }, (_, i) => (i * 7) % numItems).sort();
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    const n = rawBprEpochs({ numItems, dim: 32, table: Float32Array.from(model.values), user: new Float32Array(32), positives: items, weights: new Float32Array(200).fill(1), epochs: 25, negativesPerPositive: 4, learningRate: 0.05, l2: 1e-4, random: createSeededRandomSource(rep) });
    console.log(numItems, (n / (performance.now() - t0) * 1000).toFixed(0));
  }
}
