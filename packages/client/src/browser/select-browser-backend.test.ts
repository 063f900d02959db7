import { describe, expect, it } from 'vitest';
import { WEBGL_MIN_PARAMETERS, browserCandidates } from './select-browser-backend.js';

const names = (options: Parameters<typeof browserCandidates>[0]) => browserCandidates(options).map((c) => c.name);

describe('browserCandidates', () => {
  it('prefers wasm, then cpu, and leaves WebGL out by default', () => {
    expect(names({})).toEqual(['wasm', 'cpu']);
    expect(names({ wasmPaths: '/vendor/tfjs-wasm/' })).toEqual(['wasm', 'cpu']);
  });

  it('puts WebGL first from WEBGL_MIN_PARAMETERS on, and not one parameter below', () => {
    expect(names({ modelParameters: WEBGL_MIN_PARAMETERS - 1 })).toEqual(['wasm', 'cpu']);
    expect(names({ modelParameters: WEBGL_MIN_PARAMETERS })).toEqual(['webgl', 'wasm', 'cpu']);
  });

  it('offers WebGL when it is forced, whatever the model size', () => {
    expect(names({ force: 'webgl', modelParameters: 10 })).toEqual(['webgl', 'wasm', 'cpu']);
  });
});
