import type { RandomSource } from './random-source.js';

// getRandomValues fills at most 65,536 bytes per call; refill in blocks of
// that size so a 640k-coordinate noise vector costs a handful of calls.
const BLOCK_WORDS = 16_384;

/**
 * Unpredictable randomness from the platform CSPRNG (`crypto.getRandomValues`,
 * present in browsers and Node ≥ 19 as `globalThis.crypto`). The default
 * source for DP noise on real devices.
 */
export function createCryptoRandomSource(): RandomSource {
  const cryptoApi = globalThis.crypto;
  if (!cryptoApi || typeof cryptoApi.getRandomValues !== 'function') {
    throw new TypeError('expected globalThis.crypto.getRandomValues: no cryptographic random source on this platform');
  }
  const block = new Uint32Array(BLOCK_WORDS);
  let next = BLOCK_WORDS;
  const nextUint32 = (): number => {
    if (next === BLOCK_WORDS) {
      cryptoApi.getRandomValues(block);
      next = 0;
    }
    return block[next++]!;
  };
  const fillUint32 = (out: Uint32Array): void => {
    for (let start = 0; start < out.length; start += BLOCK_WORDS) cryptoApi.getRandomValues(out.subarray(start, start + BLOCK_WORDS));
  };
  return {
    kind: 'crypto',
    nextUint32,
    fillUint32,
    // 53 bits: 27 from one word, 26 from another.
    nextFloat: () => ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992,
  };
}
