/**
 * How often a SecAgg+ round aborts when members drop at random: for each
 * cohort size (default k and t), the share of rounds in which some member
 * that shared keys is left with fewer than t live holders of its shares (its
 * surviving neighbours, plus itself if it survived), or fewer than t members
 * survive — the conditions `SecAggServer` checks before unmasking. Each member
 * drops after sharing keys independently with the given probability; every
 * round has its own random graph seed. Seeded, so the table reproduces.
 *
 *   npm run secagg:dropout-tolerance [-- --rounds 4000]
 *
 * Prints a Markdown table (the one in packages/secagg/README.md),
 * then one JSON object as the last line.
 */
import { createSeededRandomSource } from '@fedrec/core';
import { createNeighbourGraph, defaultNeighbourCount, defaultThreshold } from '@fedrec/secagg';

const args = process.argv.slice(2);
const at = args.indexOf('--rounds');
const rounds = at >= 0 ? Number(args[at + 1]) : 4000;
if (!Number.isSafeInteger(rounds) || rounds < 1) throw new RangeError(`expected --rounds to be a positive integer, got ${args[at + 1]}`);

const cohorts = [50, 100, 200];
const rates = [0.05, 0.1, 0.2, 0.3];

function abortRate(n: number, rate: number): number {
  const k = defaultNeighbourCount(n);
  const t = defaultThreshold(k);
  const random = createSeededRandomSource(`dropout-tolerance/${n}/${rate}`);
  const graphSeed = new Uint8Array(32);
  let aborted = 0;
  for (let round = 0; round < rounds; round++) {
    random.fillUint32(new Uint32Array(graphSeed.buffer));
    const graph = createNeighbourGraph(n, k, graphSeed);
    const alive = Array.from({ length: n + 1 }, (_, i) => i > 0 && random.nextFloat() >= rate);
    let completes = alive.filter(Boolean).length >= t;
    for (let u = 1; completes && u <= n; u++) {
      const holders = graph.neighbours(u).filter((v) => alive[v]).length + (alive[u] ? 1 : 0);
      completes = holders >= t;
    }
    if (!completes) aborted++;
  }
  return aborted / rounds;
}

const results = cohorts.map((n) => {
  const k = defaultNeighbourCount(n);
  return { n, k, t: defaultThreshold(k), abortRate: Object.fromEntries(rates.map((rate) => [String(rate), abortRate(n, rate)])) };
});
const percent = (x: number): string => (x === 0 ? '0' : `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`);
console.log(`| n (k, t) | ${rates.map((r) => `${100 * r}%`).join(' | ')} |`);
console.log(`|---|${rates.map(() => '---').join('|')}|`);
for (const row of results) console.log(`| ${row.n} (${row.k}, ${row.t}) | ${rates.map((r) => percent(row.abortRate[String(r)]!)).join(' | ')} |`);
console.log(JSON.stringify({ rounds, results }));
