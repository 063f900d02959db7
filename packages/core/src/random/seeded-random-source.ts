import seedrandom from 'seedrandom';
import type { RandomSource } from './random-source.js';

/**
 * A reproducible stream (seedrandom's Alea: fast, good statistical quality,
 * *not* cryptographic). For simulation and data sampling only; never for
 * noise on a real device.
 */
export function createSeededRandomSource(seed: string | number): RandomSource {
  const prng = seedrandom.alea(String(seed));
  return {
    kind: 'seeded',
    nextFloat: () => prng.double(),
    nextUint32: () => prng.int32() >>> 0,
    fillUint32: (out) => {
      for (let i = 0; i < out.length; i++) out[i] = prng.int32() >>> 0;
    },
  };
}

/**
 * Derive an independent child stream, e.g. `deriveSeed(seed, 'noise', client)`.
 * Different labels give unrelated streams, so the data-sampling and noise
 * streams of a simulation never coincide.
 */
export function deriveSeed(seed: string | number, ...labels: (string | number)[]): string {
  return [String(seed), ...labels.map(String)].join('/');
}
