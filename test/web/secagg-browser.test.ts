import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededRandomSource, deriveSeed } from '@fedrec/core';
import { createRoundConfig, nobleSecAggCrypto, SecAggStage } from '@fedrec/secagg';
import { runInMemoryRound } from '../../packages/secagg/src/test-support/in-memory-round.js';
import { openBundledPage, type BundledPage } from './browser.js';

/*
 * SecAgg+ in a real Chromium page: the platform default must be WebCrypto
 * (native X25519 and AES-CTR), and a round run there with seeded keys must
 * produce byte for byte the messages that the pure-JS implementation produces
 * in Node: browsers and Node clients share rounds.
 */

const ROUND = `
export function inputsFor(n, length, seed, createSeededRandomSource) {
  const random = createSeededRandomSource(seed);
  return new Map(Array.from({ length: n }, (_, i) => { const v = new Uint32Array(length); random.fillUint32(v); return [i + 1, v]; }));
}
`;

const ENTRY = `
import { createRoundConfig, resolveSecAggCrypto, SecAggStage } from './packages/secagg/src/index.ts';
import { runInMemoryRound } from './packages/secagg/src/test-support/in-memory-round.ts';
import { createSeededRandomSource, deriveSeed } from './packages/core/src/random/seeded-random-source.ts';
${ROUND}
globalThis.secaggRound = async ({ n, length, dropped }) => {
  const primitives = await resolveSecAggCrypto();
  const config = createRoundConfig({ roundId: 3, clientCount: n, vectorLength: length, graphSeed: new Uint8Array(32).fill(7) });
  const inputs = inputsFor(n, length, 'browser-round', createSeededRandomSource);
  let masked = [];
  const report = await runInMemoryRound({
    config, inputs,
    randomFor: (index) => createSeededRandomSource(deriveSeed('browser-round', index)),
    dropFrom: new Map(dropped.map((i) => [i, SecAggStage.maskedInput])),
    onClientMessage: (m) => { if (m.stage === SecAggStage.maskedInput && m.sender === 1) masked = Array.from(m.maskedInput); return [m]; },
  });
  return { name: primitives.name, sum: Array.from(report.result.sum), contributors: report.result.contributors, masked };
};
`;

let opened: BundledPage;

beforeAll(async () => {
  opened = await openBundledPage(ENTRY, 'secaggRound');
});

afterAll(async () => {
  await opened?.close();
});

interface PageRound {
  readonly name: string;
  readonly sum: number[];
  readonly contributors: number[];
  readonly masked: number[];
}

describe('SecAgg+ in Chromium', () => {
  it('uses WebCrypto, and computes exactly what the pure-JS implementation computes in Node (a dropout included)', async () => {
    const n = 12;
    const length = 5000;
    const dropped = [4, 9];
    const inPage = await opened.page.evaluate((args) => (globalThis as unknown as { secaggRound: (a: typeof args) => Promise<PageRound> }).secaggRound(args), { n, length, dropped });
    expect(inPage.name).toBe('webcrypto');

    const config = createRoundConfig({ roundId: 3, clientCount: n, vectorLength: length, graphSeed: new Uint8Array(32).fill(7) });
    const random = createSeededRandomSource('browser-round');
    const inputs = new Map(
      Array.from({ length: n }, (_, i) => {
        const v = new Uint32Array(length);
        random.fillUint32(v);
        return [i + 1, v] as const;
      }),
    );
    let masked: number[] = [];
    const inNode = await runInMemoryRound({
      config,
      inputs,
      primitives: nobleSecAggCrypto,
      randomFor: (index) => createSeededRandomSource(deriveSeed('browser-round', index)),
      dropFrom: new Map(dropped.map((i) => [i, SecAggStage.maskedInput] as const)),
      onClientMessage: (m) => {
        if (m.stage === SecAggStage.maskedInput && m.sender === 1) masked = Array.from(m.maskedInput);
        return [m];
      },
    });
    expect(inPage.masked).toEqual(masked);
    expect(inPage.contributors).toEqual(inNode.result.contributors);
    expect(inPage.sum).toEqual(Array.from(inNode.result.sum));
    // And it is the survivors' plain sum.
    const expected = new Uint32Array(length);
    for (const i of inNode.result.contributors) inputs.get(i)!.forEach((w, j) => (expected[j] = expected[j]! + w));
    expect(inPage.sum).toEqual(Array.from(expected));
    expect(opened.errors).toEqual([]);
  });
});
