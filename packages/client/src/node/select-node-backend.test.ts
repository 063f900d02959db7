import { describe, it, expect, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectNodeBackend, BACKEND_ENV } from './select-node-backend.js';

describe('selectNodeBackend', () => {
  const saved = process.env[BACKEND_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[BACKEND_ENV];
    else process.env[BACKEND_ENV] = saved;
  });

  it('prefers tfjs-node, falls back to wasm where it is not installed, and logs the choice', async () => {
    delete process.env[BACKEND_ENV];
    const lines: string[] = [];
    const choice = await selectNodeBackend({ log: (l) => lines.push(l) });
    let nodeInstalled = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      nodeInstalled = false;
    }
    expect(choice.name).toBe(nodeInstalled ? 'tensorflow' : 'wasm');
    expect(tf.getBackend()).toBe(choice.name);
    expect(lines[0]).toMatch(new RegExp(`^tfjs backend: ${choice.name}`));
  });

  it('is forced by the environment variable', async () => {
    process.env[BACKEND_ENV] = 'cpu';
    const lines: string[] = [];
    const choice = await selectNodeBackend({ log: (l) => lines.push(l) });
    expect(choice.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(lines[0]).toBe('tfjs backend: cpu (forced)');
  });

  it('rejects an unknown backend name', async () => {
    await expect(selectNodeBackend({ force: 'gpu', log: () => {} })).rejects.toThrow(/expected backend/);
  });
});
