import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundledPage, type BundledPage } from './browser.js';

/*
 * Which tfjs backend a page gets from `selectBrowserBackend` in a real
 * Chromium (issue #16, point 6): wasm, else cpu; WebGL only when asked for or
 * for a model of at least WEBGL_MIN_PARAMETERS. The page bundles the client
 * from its sources without any tfjs shim, as a shop's bundler would, so it
 * also shows that each backend is imported on demand. (The default with the
 * wasm binaries served is checked on the demo shop in web-shop.test.ts.)
 */

const ENTRY = `
import { selectBrowserBackend, WEBGL_MIN_PARAMETERS } from './packages/client/src/browser/index.ts';
import { getBackend } from '@tensorflow/tfjs-core';
globalThis.webglThreshold = () => WEBGL_MIN_PARAMETERS;
globalThis.choose = async (options) => {
  const lines = [];
  const choice = await selectBrowserBackend({ ...options, log: (line) => lines.push(line) });
  return { name: choice.name, tried: [...choice.skipped.map((s) => s.name), choice.name], active: getBackend(), line: lines.join('\\n') };
};
`;

interface Choice {
  readonly name: string;
  readonly tried: string[];
  readonly active: string;
  readonly line: string;
}

let page: BundledPage;
beforeAll(async () => {
  page = await openBundledPage(ENTRY, 'choose');
});
afterAll(() => page?.close());

function choose(options: Record<string, unknown>): Promise<Choice> {
  return page.page.evaluate((o) => (globalThis as unknown as { choose: (o: Record<string, unknown>) => Promise<Choice> }).choose(o), options);
}

describe('selectBrowserBackend in Chromium', () => {
  it('gives a default page plain JS when the wasm binaries are not served, and never tries WebGL', async () => {
    const choice = await choose({});
    expect(choice).toMatchObject({ name: 'cpu', tried: ['wasm', 'cpu'], active: 'cpu' });
    expect(choice.line).toContain('skipped wasm: no wasmPaths given');
    expect(page.errors).toEqual([]);
  });

  it('keeps WebGL out below the model-size threshold and tries it first from there on', async () => {
    const threshold = await page.page.evaluate(() => (globalThis as unknown as { webglThreshold: () => number }).webglThreshold());
    const small = await choose({ modelParameters: threshold - 1 });
    expect(small.tried).toEqual(['wasm', 'cpu']);
    const large = await choose({ modelParameters: threshold });
    // Whether WebGL starts depends on the machine (this Chromium runs without a GPU); that it is tried first does not.
    expect(large.tried[0]).toBe('webgl');
    expect(large.active).toBe(large.name);
  });

  it('tries only WebGL when asked for it', async () => {
    const outcome = await page.page.evaluate(async () => {
      try {
        const choice = await (globalThis as unknown as { choose: (o: Record<string, unknown>) => Promise<Choice> }).choose({ force: 'webgl' });
        return { name: choice.name, tried: choice.tried };
      } catch (error) {
        return { error: String(error) };
      }
    });
    if ('error' in outcome) expect(outcome.error).toContain("backend 'webgl' is not available here");
    else expect(outcome).toEqual({ name: 'webgl', tried: ['webgl'] });
  });
});
