import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RoundParticipantEvents } from '@fedrec/client';
import { main } from '@fedrec/cli';
import { ServerError, createServer } from '@fedrec/server';
import { Resources, nextServerEvent, startClients, startServer, syntheticDelta } from '../server/helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

const privacy = { targetEpsilon: 4, delta: 1e-5, clipNorm: 1, noiseMultiplier: 1.2, placement: 'distributed' as const };
const rounds = { minClients: 3, sampling: { kind: 'poisson' as const, rate: 1 }, minUpdates: 3 };

describe('noise placement', () => {
  it('refuses distributed placement without secure aggregation, naming the field and the way out', () => {
    let error: unknown;
    try {
      createServer({ port: 0, modelDir: 'never-created', model: { numItems: 5, dim: 2 }, rounds, privacy });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).code).toBe('INVALID_CONFIG');
    expect((error as ServerError).issues).toEqual([{ path: 'privacy.placement', message: expect.stringMatching(/secure aggregation.*simulationMode: true/) }]);
  });

  it('`fedrec server --config` picks the privacy block up and refuses the same way (exit code 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-placement-'));
    resources.add(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'server.json');
    await writeFile(file, JSON.stringify({ port: 0, modelDir: join(dir, 'model'), model: { numItems: 5, dim: 2 }, rounds, privacy }));
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['server', '--config', file])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(stderr.join('')).toMatch(/privacy\.placement: 'distributed' needs secure aggregation/);
  });

  it('in simulation mode each client adds its share z/√m and the accountant still charges z', async () => {
    const server = await startServer(resources, { rounds, privacy: { ...privacy, targetEpsilon: 20, simulationMode: true } });
    const applied = nextServerEvent(server, 'roundClosed', (r) => r.outcome === 'applied');
    const sent: RoundParticipantEvents['updateSent'][] = [];
    const clients = startClients(resources, server, 3, (index) => ({ roundId, model }) => ({ delta: syntheticDelta(model.shape, model.version, `share/${index}/${roundId}`) }));
    for (const client of clients) client.on('updateSent', (e) => e.roundId === 1 && sent.push(e));
    expect(await applied).toMatchObject({ accepted: 3, privacy: { budgetExhausted: false } });
    // q = 1 over 3 eligible clients: m = 3.
    const share = 1.2 / Math.sqrt(3);
    expect(sent).toHaveLength(3);
    for (const e of sent) {
      expect(e.privacy).toMatchObject({ source: 'round', placement: 'distributed', noiseMultiplier: share, accountedNoiseMultiplier: 1.2, samplingRate: 1 });
    }
    expect(server.status().privacy).toMatchObject({ placement: 'distributed', simulationMode: true, clientNoiseMultiplier: share, noiseMultiplier: 1.2, perUpdateEpsilon: null, roundsAccounted: 1 });
  });
});
