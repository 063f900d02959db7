import { trainLocally, createSharedModel, positiveItems, scoreAllItems, createSeededRandomSource, evaluateLeaveOneOut } from '../packages/core/src/index.js';
import { clusteredPopulation } from '../packages/core/src/test-support/clustered-population.js';
import type { SharedModel } from '../packages/core/src/index.js';
const shape = { numItems: 200, dim: 16 };
const shoppers = clusteredPopulation({ shoppers: 150, numItems: 200, clusters: 8, eventsPerShopper: 12, random: createSeededRandomSource('pop') });
const tr = (s: any) => positiveItems(s.events.slice(0, -1));
const hr = (m: SharedModel) => evaluateLeaveOneOut({ numItems: 200, users: shoppers, scoreAll: (s, i) => scoreAllItems(m.shape, m.values, trainLocally({ model: m, positives: tr(s), random: createSeededRandomSource(i), config: { epochs: 0 } }).userVector), seed: 'e' });
const serverLr = Number(process.argv[2]);
let m = createSharedModel(shape, { seed: 2 });
console.log('r0', hr(m).hr);
for (let r = 0; r < 15; r++) {
  const sum = new Float64Array(m.values.length);
  shoppers.forEach((s, i) => { const { delta } = trainLocally({ model: m, positives: tr(s), random: createSeededRandomSource(`${r}/${i}`) }); for (let j = 0; j < sum.length; j++) sum[j] += delta.values[j]; });
  m = { shape, version: r + 1, values: Float32Array.from(m.values, (v, j) => v + serverLr * sum[j] / shoppers.length) };
  const rep = hr(m); console.log(r, rep.hr.toFixed(3), rep.hrFull.toFixed(3));
}
