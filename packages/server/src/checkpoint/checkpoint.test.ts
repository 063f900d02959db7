import { mkdtemp, readdir, rm, stat, truncate, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServerError } from '../server-error.js';
import type { CheckpointData } from './checkpoint-file.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-file.js';
import { CheckpointStore, checkpointFileName } from './checkpoint-store.js';

function data(version: number): CheckpointData {
  const values = Float32Array.from({ length: 6 }, (_, i) => version + i / 10);
  return {
    model: { shape: { numItems: 2, dim: 2 }, version, values },
    optimiser: { kind: 'fedadam', step: version, arrays: { m: Float64Array.from(values, (x) => x / 3), v: Float64Array.from(values, (x) => x * x) } },
    lastRoundId: version === 0 ? null : version + 10,
    nextRoundId: version + 11,
    privacyLedger: { format: 'opaque', entries: [{ q: 0.01, sigma: 1.1, steps: version }] },
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

function corruptCode(bytes: Uint8Array): string {
  try {
    decodeCheckpoint(bytes);
  } catch (error) {
    if (error instanceof ServerError) return error.code;
    throw error;
  }
  return 'decoded';
}

describe('checkpoint file', () => {
  it('round-trips model, optimiser state, round ids and the privacy ledger exactly', () => {
    const original = data(4);
    const decoded = decodeCheckpoint(encodeCheckpoint(original));
    expect(decoded.model.version).toBe(4);
    expect(Array.from(decoded.model.values)).toEqual(Array.from(original.model.values));
    expect(Array.from(decoded.optimiser.arrays.m!)).toEqual(Array.from(original.optimiser.arrays.m!));
    expect(Array.from(decoded.optimiser.arrays.v!)).toEqual(Array.from(original.optimiser.arrays.v!));
    expect(decoded.optimiser.step).toBe(4);
    expect(decoded).toMatchObject({ lastRoundId: 14, nextRoundId: 15, privacyLedger: original.privacyLedger, createdAt: original.createdAt });
  });

  it('round-trips optimiser scalars in format 2, and still writes format 1 without them', () => {
    const plain = data(3);
    expect(new DataView(encodeCheckpoint(plain).buffer).getUint32(8, true)).toBe(1);
    const denoised: CheckpointData = {
      ...plain,
      optimiser: { kind: 'fedavg', step: 3, arrays: { initial: new Float64Array(6).fill(0.25), displacement: Float64Array.from({ length: 6 }, (_, i) => i / 7) }, scalars: { noiseVariance: 0.1 + 0.2 } },
    };
    const bytes = encodeCheckpoint(denoised);
    expect(new DataView(bytes.buffer).getUint32(8, true)).toBe(2);
    const decoded = decodeCheckpoint(bytes);
    expect(decoded.optimiser.scalars).toEqual({ noiseVariance: 0.1 + 0.2 });
    expect(Array.from(decoded.optimiser.arrays.displacement!)).toEqual(Array.from(denoised.optimiser.arrays.displacement!));
    expect(decodeCheckpoint(encodeCheckpoint(plain)).optimiser.scalars).toBeUndefined();
    expect(() => encodeCheckpoint({ ...denoised, optimiser: { ...denoised.optimiser, scalars: { noiseVariance: Number.NaN } } })).toThrow(RangeError);
  });

  it('detects every truncation and every flipped byte', () => {
    const bytes = encodeCheckpoint(data(2));
    for (let length = 0; length < bytes.length; length++) expect(corruptCode(bytes.subarray(0, length))).toBe('CHECKPOINT_CORRUPT');
    for (let i = 0; i < bytes.length; i += 7) {
      const flipped = bytes.slice();
      flipped[i] = flipped[i]! ^ 0x20;
      expect(corruptCode(flipped)).toBe('CHECKPOINT_CORRUPT');
    }
  });
});

describe('CheckpointStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedrec-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('loads the newest checkpoint and keeps only the last N', async () => {
    const store = new CheckpointStore(dir, 2);
    await store.init();
    expect(await store.loadLatest()).toBeNull();
    for (const version of [0, 1, 2, 3]) await store.write(data(version));
    expect(await store.list()).toEqual([checkpointFileName(3), checkpointFileName(2)]);
    const loaded = await store.loadLatest();
    expect(loaded?.data.model.version).toBe(3);
    expect(loaded?.skipped).toEqual([]);
  });

  it('falls back past a truncated or garbage newest checkpoint to the previous one', async () => {
    const store = new CheckpointStore(dir, 5);
    await store.init();
    for (const version of [0, 1, 2]) await store.write(data(version));
    const newest = join(dir, checkpointFileName(2));
    await truncate(newest, (await stat(newest)).size - 1);
    let loaded = await store.loadLatest();
    expect(loaded?.data.model.version).toBe(1);
    expect(loaded?.skipped.map((s) => s.file)).toEqual([newest]);

    await writeFile(join(dir, checkpointFileName(9)), 'not a checkpoint');
    // A valid file under the wrong name is not trusted either.
    await writeFile(join(dir, checkpointFileName(8)), await readFile(join(dir, checkpointFileName(0))));
    loaded = await store.loadLatest();
    expect(loaded?.data.model.version).toBe(1);
    expect(loaded?.skipped).toHaveLength(3);
  });

  it('orders by fencing token, then version; a single server on a cluster\'s directory continues the newest token', async () => {
    const cluster = new CheckpointStore(dir, 10);
    await cluster.init();
    await cluster.write(data(1), 2);
    await cluster.write(data(3), 1); // a deposed coordinator's refused file: higher version, older token
    await cluster.write(data(2), 2);
    expect(await cluster.list()).toEqual([checkpointFileName(2, 2), checkpointFileName(1, 2), checkpointFileName(3, 1)]);
    expect((await cluster.loadLatest())?.data.model.version).toBe(2);
    const single = new CheckpointStore(dir, 10);
    await single.init();
    await single.write(data(4));
    expect((await single.list())[0]).toBe(checkpointFileName(4, 2));
    expect((await single.loadLatest())?.data.model.version).toBe(4);
  });

  it('leaves no temp file behind, and clears those a crash left', async () => {
    const stray = join(dir, `.${checkpointFileName(5)}.1234.5678.tmp`);
    await writeFile(stray, 'half written');
    const store = new CheckpointStore(dir, 3);
    await store.init();
    await store.write(data(6));
    expect(await readdir(dir)).toEqual([checkpointFileName(6)]);
  });
});

describe('checkpoint catalogue', () => {
  it('round-trips the product of each row and the catalogue version as format 3, and refuses ids that do not match the rows', () => {
    const catalogue = { version: '0123456789abcdef', itemIds: ['sku-1', 'sku-2'] };
    const bytes = encodeCheckpoint({ ...data(3), catalogue });
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true)).toBe(3);
    expect(decodeCheckpoint(bytes).catalogue).toEqual(catalogue);
    expect(decodeCheckpoint(encodeCheckpoint(data(3))).catalogue).toBeUndefined();
    expect(() => encodeCheckpoint({ ...data(3), catalogue: { ...catalogue, itemIds: ['sku-1'] } })).toThrow(/one product id per model row \(2\), got 1/);
  });
});
