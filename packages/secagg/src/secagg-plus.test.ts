import { describe, it, expect } from 'vitest';
import { createSeededRandomSource, deriveSeed } from '@fedrec/core/random';
import { runInMemoryRound, type InMemoryRoundOptions } from './test-support/in-memory-round.js';
import { assertNoWrapAround, decodeSum, quantise, toModular } from './quantise.js';
import { createRoundConfig, type SecAggRoundConfig } from './round-config.js';
import { SecAggClient } from './secagg-client.js';
import { SecAggError } from './secagg-error.js';
import { SecAggStage, type SecAggClientMessage, type SecAggServerMessage, type SecAggStageCode, type UnmaskingMessage } from './secagg-messages.js';
import { bytesToWords, wordsToBytes } from './secagg-plus.js';
import { SecAggServer } from './secagg-server.js';
import { nobleSecAggCrypto } from './noble-secagg-crypto.js';
import { webCryptoSecAggCrypto } from './web-crypto-secagg-crypto.js';

const graphSeed = (byte: number): Uint8Array => new Uint8Array(32).map((_, i) => (i * 31 + byte) & 0xff);
const randomFor = (label: string) => (index: number) => createSeededRandomSource(deriveSeed('secagg-test', label, index));

function config(clientCount: number, neighbourCount: number, vectorLength = 64, threshold?: number): SecAggRoundConfig {
  return createRoundConfig({ roundId: 42, clientCount, vectorLength, graphSeed: graphSeed(clientCount + neighbourCount), neighbourCount, ...(threshold === undefined ? {} : { threshold }) });
}

/** Full-range uint32 inputs for clients 1…n. */
function inputsFor(cfg: SecAggRoundConfig, label: string): Map<number, Uint32Array> {
  const random = createSeededRandomSource(deriveSeed('inputs', label));
  const inputs = new Map<number, Uint32Array>();
  for (let i = 1; i <= cfg.clientCount; i++) {
    const v = new Uint32Array(cfg.vectorLength);
    random.fillUint32(v);
    inputs.set(i, v);
  }
  return inputs;
}

function modularSum(inputs: ReadonlyMap<number, Uint32Array>, who: readonly number[]): Uint32Array {
  const first = inputs.values().next().value!;
  const sum = new Uint32Array(first.length);
  for (const i of who) inputs.get(i)!.forEach((w, j) => (sum[j] = sum[j]! + w));
  return sum;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function abortCode(run: () => unknown): Promise<string | undefined> {
  try {
    await run();
  } catch (error) {
    return error instanceof SecAggError ? error.code : `not a SecAggError: ${String(error)}`;
  }
  return undefined;
}

/** No client's self-mask share and mask-key share ever both reach the server. */
function expectNeverBoth(messages: readonly UnmaskingMessage[]): void {
  const selfMask = new Set<number>();
  const maskKey = new Set<number>();
  for (const m of messages) {
    m.selfMaskShares.forEach((s) => selfMask.add(s.owner));
    m.maskKeyShares.forEach((s) => maskKey.add(s.owner));
  }
  for (const owner of selfMask) expect(maskKey.has(owner), `client ${owner}`).toBe(false);
}

describe('masked-input wire form', () => {
  it('is little-endian uint32, read from any byte offset into a fresh array, and round-trips', () => {
    const message = Uint8Array.from([0xee, 0x01, 0x02, 0x03, 0x04, 0xff, 0xff, 0xff, 0x7f]);
    const bytes = message.subarray(1); // an unaligned view, as inside a decoded message
    const words = bytesToWords(bytes);
    expect([...words]).toEqual([0x04030201, 0x7fffffff]);
    message[1] = 0; // the words are a copy, not a view
    expect(words[0]).toBe(0x04030201);
    const back = wordsToBytes(words);
    expect([...back]).toEqual([0x01, 0x02, 0x03, 0x04, 0xff, 0xff, 0xff, 0x7f]);
    words[0] = 0;
    expect(back[0]).toBe(0x01);
    expect(() => bytesToWords(new Uint8Array(7))).toThrow(RangeError);
  });

  it('reads only its own bytes from a view into a larger pooled buffer (how a Node Buffer arrives from a socket)', () => {
    /** Like a Node Buffer: slice() returns a view sharing memory, not a copy. */
    class ViewSlicingBytes extends Uint8Array {
      override slice(start?: number, end?: number): Uint8Array<ArrayBuffer> {
        return this.subarray(start, end);
      }
    }
    const pool = new Uint8Array(64).fill(0xaa);
    pool.set([1, 0, 0, 0, 2, 0, 0, 0], 12);
    expect([...bytesToWords(pool.subarray(12, 20))]).toEqual([1, 2]);
    expect([...bytesToWords(new ViewSlicingBytes(pool.buffer, 12, 8))]).toEqual([1, 2]);
    expect([...wordsToBytes(new Uint32Array(pool.buffer, 12, 2))]).toEqual([1, 0, 0, 0, 2, 0, 0, 0]);
  });
});

describe('SecAgg+ correctness: the output is exactly the sum of the survivors’ inputs', () => {
  it.each([
    [10, 9, 'complete graph (original SecAgg)'],
    [20, 6, 'k = 6'],
    [20, 5, 'odd k (diameters)'],
    [30, 29, 'complete graph, n = 30'],
  ])('n = %i, k = %i: %s', async (n, k) => {
    const cfg = config(n, k);
    const inputs = inputsFor(cfg, `exact-${n}-${k}`);
    const report = await runInMemoryRound({ config: cfg, inputs, randomFor: randomFor(`exact-${n}-${k}`) });
    expect(report.refused).toEqual([]);
    expect(report.result.contributors).toEqual(range(1, n));
    expect(report.result.sum).toEqual(modularSum(inputs, range(1, n)));
    expectNeverBoth(report.unmaskingMessages);
  });

  it('clients on different platforms interoperate: pure-JS and WebCrypto primitives give the same exact sum', async () => {
    const cfg = config(8, 7);
    const inputs = inputsFor(cfg, 'mixed');
    const server = new SecAggServer(cfg, { primitives: nobleSecAggCrypto });
    const clients = range(1, 8).map(
      (index) => new SecAggClient({ config: cfg, index, random: randomFor('mixed')(index), primitives: index % 2 === 0 ? nobleSecAggCrypto : webCryptoSecAggCrypto() }),
    );
    for (const c of clients) server.receive(await c.advertiseKeys());
    let closed = await server.closeStage();
    if (closed.closedStage !== 0) throw new Error('stage');
    for (const m of closed.messages) expect(server.receive(await clients[m.recipient - 1]!.shareKeys(m))).toEqual({ accepted: true });
    closed = await server.closeStage();
    if (closed.closedStage !== 1) throw new Error('stage');
    // Client 8 drops before its masked input: the server removes its pairwise masks with noble, the survivors added them with either.
    for (const m of closed.messages) if (m.recipient !== 8) server.receive(await clients[m.recipient - 1]!.maskedInput(m, inputs.get(m.recipient)!));
    closed = await server.closeStage();
    if (closed.closedStage !== 2) throw new Error('stage');
    for (const m of closed.messages) server.receive(clients[m.recipient - 1]!.unmask(m));
    closed = await server.closeStage();
    if (closed.closedStage !== 3) throw new Error('stage');
    expect(closed.result.sum).toEqual(modularSum(inputs, range(1, 7)));
  });

  it('end to end with quantised float updates: decodes to the plain sum of the quantised integers', async () => {
    const n = 12;
    const cfg = config(n, 6, 200);
    const granularity = 1e-3;
    const bound = 1000; // |x| ≤ 1 after clipping
    assertNoWrapAround(n, bound);
    const random = createSeededRandomSource('quantised-updates');
    const ints = range(1, n).map(() => quantise(Float64Array.from({ length: cfg.vectorLength }, () => 2 * random.nextFloat() - 1), granularity, random));
    const inputs = new Map(ints.map((v, i) => [i + 1, toModular(v, bound)] as const));
    const report = await runInMemoryRound({ config: cfg, inputs, randomFor: randomFor('quantised') });
    const plain = Array.from({ length: cfg.vectorLength }, (_, j) => ints.reduce((s, v) => s + v[j]!, 0));
    expect(Array.from(decodeSum(report.result.sum, granularity).integers)).toEqual(plain);
  });
});

describe('SecAgg+ dropouts', () => {
  const cases: [string, number, number, Map<number, SecAggStageCode>, number[]][] = [
    ['after advertising keys', 10, 9, new Map([[2, 1], [5, 1]]), [1, 3, 4, 6, 7, 8, 9, 10]],
    ['after sharing keys', 10, 9, new Map([[3, 2], [7, 2]]), [1, 2, 4, 5, 6, 8, 9, 10]],
    ['after sending a masked input (still summed)', 10, 9, new Map([[4, 3], [9, 3]]), range(1, 10)],
    ['at every stage at once, sparse graph', 24, 8, new Map([[1, 0], [6, 1], [11, 2], [17, 2], [20, 3]]), range(1, 24).filter((i) => ![1, 6, 11, 17].includes(i))],
  ];
  it.each(cases)('%s: with ≥ t survivors the output is their exact sum', async (label, n, k, dropFrom, contributors) => {
    const cfg = config(n, k);
    const inputs = inputsFor(cfg, label);
    const report = await runInMemoryRound({ config: cfg, inputs, dropFrom, randomFor: randomFor(label) });
    expect(report.result.contributors).toEqual(contributors);
    expect(report.result.sum).toEqual(modularSum(inputs, contributors));
    expect(report.clientFailures.size).toBe(0);
    expectNeverBoth(report.unmaskingMessages);
  });

  it('lists the clients whose masks were removed after they dropped', async () => {
    const cfg = config(10, 9);
    const report = await runInMemoryRound({ config: cfg, inputs: inputsFor(cfg, 'list'), dropFrom: new Map([[3, 2], [7, 2]]), randomFor: randomFor('list') });
    expect(report.result.droppedAfterSharing).toEqual([3, 7]);
  });

  it.each([
    ['advertising', 1],
    ['sharing', 2],
    ['masked input', 3],
  ] as const)('aborts with TOO_FEW_SURVIVORS when fewer than t survive (dropping after %s)', async (_label, stage) => {
    const cfg = config(10, 9); // t = 6
    const dropFrom = new Map(range(1, 5).map((i) => [i, stage as SecAggStageCode] as const));
    expect(await abortCode(() => runInMemoryRound({ config: cfg, inputs: inputsFor(cfg, 'abort'), dropFrom, randomFor: randomFor('abort') }))).toBe('TOO_FEW_SURVIVORS');
    // With exactly t survivors it completes.
    const fewer = new Map(range(1, 4).map((i) => [i, stage as SecAggStageCode] as const));
    const report = await runInMemoryRound({ config: cfg, inputs: inputsFor(cfg, 'abort'), dropFrom: fewer, randomFor: randomFor('abort') });
    expect(report.result.sum).toEqual(modularSum(inputsFor(cfg, 'abort'), stage === 3 ? range(1, 10) : range(5, 10)));
  });

  it.each([
    ['after sharing', [2, 2]],
    ['after advertising and during unmasking', [1, 3]],
    ['both during unmasking', [3, 3]],
  ] as const)('tolerates k + 1 − t dropouts all in one client’s neighbourhood (%s)', async (label, stages) => {
    const cfg = config(20, 4); // t = 3: each secret has 5 holders, so any 2 may drop
    const probe = new SecAggClient({ config: cfg, index: 10 });
    const dropped = probe.neighbours.slice(0, 2);
    const inputs = inputsFor(cfg, `sparse-tolerated ${label}`);
    const dropFrom = new Map(dropped.map((v, i) => [v, stages[i] as SecAggStageCode] as const));
    const report = await runInMemoryRound({ config: cfg, inputs, dropFrom, randomFor: randomFor(`sparse-tolerated ${label}`) });
    // A member that dropped during unmasking had sent its masked input: it is summed.
    const contributors = range(1, 20).filter((i) => !dropped.some((v, j) => v === i && stages[j]! < 3));
    expect(report.result.contributors).toEqual(contributors);
    expect(report.result.sum).toEqual(modularSum(inputs, contributors));
  });

  it('aborts in a sparse graph when one client’s neighbourhood loses too many holders', async () => {
    const cfg = config(20, 4); // t = 3: each secret has 5 holders
    const probe = new SecAggClient({ config: cfg, index: 10 });
    // Three of client 10's four neighbours drop after sharing: its secret has 2 surviving holders.
    const dropFrom = new Map(probe.neighbours.slice(0, 3).map((v) => [v, 2 as SecAggStageCode] as const));
    expect(await abortCode(() => runInMemoryRound({ config: cfg, inputs: inputsFor(cfg, 'sparse'), dropFrom, randomFor: randomFor('sparse') }))).toBe('TOO_FEW_SURVIVORS');
  });

  it('a client refuses to reveal the other share of a neighbour, whatever the server asks', async () => {
    const cfg = config(6, 5); // t = 4
    const server = new SecAggServer(cfg);
    const clients = range(1, 6).map((index) => new SecAggClient({ config: cfg, index, random: randomFor('conflict')(index) }));
    for (const c of clients) server.receive(await c.advertiseKeys());
    let closed = await server.closeStage();
    if (closed.closedStage !== 0) throw new Error('stage');
    for (const m of closed.messages) server.receive(await clients[m.recipient - 1]!.shareKeys(m));
    closed = await server.closeStage();
    if (closed.closedStage !== 1) throw new Error('stage');
    for (const m of closed.messages) server.receive(await clients[m.recipient - 1]!.maskedInput(m, new Uint32Array(cfg.vectorLength)));
    closed = await server.closeStage();
    if (closed.closedStage !== 2) throw new Error('stage');
    const request = closed.messages[0]!; // to client 1: everyone survived
    const reply = clients[0]!.unmask(request);
    expect(reply.selfMaskShares.map((s) => s.owner).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(reply.maskKeyShares).toEqual([]);
    // A (dishonest) second request claiming client 2 dropped is refused, and reveals nothing.
    const forged = { ...request, survivors: request.survivors.filter((v) => v !== 2) };
    expect(await abortCode(() => clients[0]!.unmask(forged))).toBe('CONFLICTING_UNMASK_REQUEST');
    // Repeating the original request (a retransmission) is fine.
    expect(clients[0]!.unmask(request)).toEqual(reply);
    // The server refuses a self-mask share for a client it counts as dropped, and vice versa.
    const wrongKind = { ...reply, sender: 2, selfMaskShares: [], maskKeyShares: [{ owner: 3, share: reply.selfMaskShares[0]!.share }] };
    expect(server.receive(wrongKind)).toMatchObject({ accepted: false, reasonName: 'BAD_UNMASKING' });
  });
});

describe('SecAgg+ privacy: a masked input is uniform mod 2^32', () => {
  it('chi-square on the top 4 bits of one client’s masked input, over many rounds, for a constant input', async () => {
    const bins = new Float64Array(16);
    const trials = 16;
    const cfg = (trial: number) => createRoundConfig({ roundId: trial, clientCount: 4, vectorLength: 640, graphSeed: graphSeed(trial), neighbourCount: 2 });
    let samples = 0;
    for (let trial = 0; trial < trials; trial++) {
      const c = cfg(trial);
      const inputs = new Map(range(1, 4).map((i) => [i, new Uint32Array(c.vectorLength).fill(12345)] as const));
      await runInMemoryRound({
        config: c,
        inputs,
        randomFor: randomFor(`uniform-${trial}`),
        onClientMessage: (m) => {
          // What the server sees of client 1 in stage 2.
          if (m.stage === SecAggStage.maskedInput && m.sender === 1) {
            for (const w of bytesToWords(m.maskedInput)) bins[w >>> 28]!++;
            samples += c.vectorLength;
          }
          return [m];
        },
      });
    }
    const expected = samples / 16;
    const chiSquare = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    // 15 degrees of freedom: P(χ² > 37.7) ≈ 0.001. A constant input would put everything in one bin.
    expect(chiSquare).toBeLessThan(37.7);
  });
});

describe('SecAgg+ robustness: bad messages are refused with a reason, and honest clients still finish', () => {
  const n = 10;
  const cfg = config(n, 9);
  const inputs = inputsFor(cfg, 'robust');
  const everyone = modularSum(inputs, range(1, n));
  const run = (label: string, options: Partial<InMemoryRoundOptions>) => runInMemoryRound({ config: cfg, inputs, randomFor: randomFor(label), ...options });

  it('a tampered share ciphertext is rejected by its recipient (DECRYPTION_FAILED); the sum is exact', async () => {
    const onServerMessage = (m: SecAggServerMessage): SecAggServerMessage => {
      if (m.stage !== SecAggStage.maskedInput || m.recipient !== 4) return m;
      const shares = m.shares.map((s) => {
        if (s.from !== 7) return s;
        const ciphertext = Uint8Array.from(s.ciphertext);
        ciphertext[60]! ^= 0x01;
        return { ...s, ciphertext };
      });
      return { ...m, shares };
    };
    const report = await run('tamper', { onServerMessage });
    expect(report.rejectedShares.get(4)).toEqual([{ from: 7, code: 'DECRYPTION_FAILED' }]);
    expect(report.result.sum).toEqual(everyone);
  });

  it('replayed messages are refused as DUPLICATE; the sum is exact', async () => {
    const report = await run('replay', { onClientMessage: (m) => [m, m] });
    expect(report.refused).toHaveLength(4 * n);
    expect(new Set(report.refused.map((r) => r.reasonName))).toEqual(new Set(['DUPLICATE']));
    expect(report.result.sum).toEqual(everyone);
  });

  it('out-of-order, wrong-round, foreign and malformed messages are refused with their reasons', async () => {
    let early: SecAggClientMessage | undefined;
    const onClientMessage = (m: SecAggClientMessage): unknown[] => {
      if (m.sender !== 1) return [m];
      switch (m.stage) {
        case SecAggStage.advertiseKeys:
          early = m;
          return [
            { roundId: 42, stage: SecAggStage.maskedInput, sender: 1, maskedInput: new Uint8Array(4 * cfg.vectorLength) }, // too early
            { ...m, roundId: 41 }, // another round
            { ...m, sender: 99 }, // not in the cohort
            { ...m, maskPublicKey: m.maskPublicKey.subarray(1) }, // wrong key length
            { ...m, extra: 'smuggled' }, // unknown field
            'not an object',
            m,
          ];
        case SecAggStage.maskedInput:
          return [early, { ...m, maskedInput: m.maskedInput.subarray(4) }, m]; // a replay from stage 0, a short vector
        default:
          return [m];
      }
    };
    const report = await run('order', { onClientMessage });
    expect(report.refused.map((r) => r.reasonName)).toEqual(['WRONG_STAGE', 'WRONG_ROUND', 'NOT_IN_COHORT', 'MALFORMED', 'MALFORMED', 'MALFORMED', 'WRONG_STAGE', 'WRONG_LENGTH']);
    expect(report.result.sum).toEqual(everyone);
  });

  it('copied or low-order keys are refused (BAD_KEY); that client drops and the rest finish', async () => {
    let firstKey: Uint8Array | undefined;
    const onClientMessage = (m: SecAggClientMessage): unknown[] => {
      if (m.stage !== SecAggStage.advertiseKeys) return [m];
      if (m.sender === 1) firstKey = m.maskPublicKey;
      if (m.sender === 2) return [{ ...m, maskPublicKey: new Uint8Array(32) }, { ...m, encryptionPublicKey: firstKey }];
      return [m];
    };
    const report = await run('keys', { onClientMessage });
    expect(report.refused.map((r) => r.reasonName)).toEqual(['BAD_KEY', 'BAD_KEY']);
    const others = range(1, n).filter((i) => i !== 2);
    expect(report.result.contributors).toEqual(others);
    expect(report.result.sum).toEqual(modularSum(inputs, others));
  });

  it('shares for the wrong recipients, or from a client that never advertised, are refused', async () => {
    const onClientMessage = (m: SecAggClientMessage): unknown[] => {
      if (m.stage === SecAggStage.shareKeys && m.sender === 3) return [{ ...m, shares: m.shares.slice(1) }, { ...m, shares: [...m.shares, m.shares[0]] }, m];
      // Client 5's keys never arrive, so shares in its name are refused.
      if (m.stage === SecAggStage.advertiseKeys && m.sender === 5) return [];
      if (m.stage === SecAggStage.shareKeys && m.sender === 6) return [m, { ...m, sender: 5 }];
      return [m];
    };
    const report = await run('recipients', { onClientMessage });
    expect(report.refused.map((r) => r.reasonName)).toEqual(['BAD_RECIPIENTS', 'BAD_RECIPIENTS', 'DROPPED_EARLIER']);
    expect(report.result.sum).toEqual(modularSum(inputs, range(1, n).filter((i) => i !== 5)));
  });

  it('a corrupted revealed share makes reconstruction fail loudly rather than yield a wrong sum', async () => {
    const onClientMessage = (m: SecAggClientMessage): unknown[] => {
      if (m.stage !== SecAggStage.unmasking || m.sender !== 2) return [m];
      return [{ ...m, selfMaskShares: m.selfMaskShares.map((s) => ({ ...s, share: s.share.map((b, i) => (i === 0 ? b ^ 1 : b)) })) }];
    };
    expect(await abortCode(() => run('corrupt', { onClientMessage }))).toBe('RECONSTRUCTION_FAILED');
  });

  it('refuses steps out of order on both sides, and everything once the round has ended', async () => {
    const client = new SecAggClient({ config: cfg, index: 1, random: randomFor('steps')(1) });
    expect(await abortCode(() => client.shareKeys({}))).toBe('OUT_OF_ORDER');
    const pending = client.advertiseKeys();
    // A second call while the first awaits its crypto is out of order too.
    expect(await abortCode(() => client.advertiseKeys())).toBe('OUT_OF_ORDER');
    expect(await abortCode(() => client.unmask({}))).toBe('OUT_OF_ORDER');
    const advertised = await pending;
    expect(await abortCode(() => client.advertiseKeys())).toBe('OUT_OF_ORDER');
    expect(await abortCode(() => client.shareKeys({ roundId: 42, stage: 1, sender: 0, recipient: 2, neighbours: [] }))).toBe('PROTOCOL_VIOLATION');
    expect(await abortCode(() => client.shareKeys({ roundId: 42, stage: 1, sender: 0, recipient: 1, neighbours: [] }))).toBe('TOO_FEW_SURVIVORS');
    const server = new SecAggServer(cfg);
    expect(server.receive(advertised)).toEqual({ accepted: true });
    expect(await abortCode(() => server.closeStage())).toBe('TOO_FEW_SURVIVORS');
    expect(server.stage).toBe('aborted');
    expect(server.receive(advertised)).toMatchObject({ accepted: false, reasonName: 'ROUND_ENDED' });
    expect(await abortCode(() => server.closeStage())).toBe('OUT_OF_ORDER');
  });
});
