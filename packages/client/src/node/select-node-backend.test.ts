import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

  it('leaves an uncaught error to Node once wasm is loaded: the error is reported, not the wasm glue, and the exit code is 1', () => {
    // tfjs-backend-wasm's Emscripten glue rethrows from process-wide handlers; see selectBackend.
    const script = [
      "const { selectNodeBackend } = await import('@fedrec/client/node');",
      "await selectNodeBackend({ force: 'wasm', log: () => {} });",
      "setTimeout(() => { throw new Error('a bug after the backend loaded'); }, 0);",
      "Promise.reject(new Error('a rejection nobody handled'));",
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../../..', import.meta.url)),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toContain('a rejection nobody handled');
    expect(child.stderr).not.toContain('WasmBackendModule');
    expect(child.status).toBe(1);
  });
});

