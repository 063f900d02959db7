import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEmitter } from 'node:events';
import type { ModelUpdate, ParameterShape, SharedModel } from '@fedrec/core';
import { createSeededRandomSource, decodeModel, parameterCount } from '@fedrec/core';
import type { RoundParticipant, RoundParticipantEvents, TrainingCallback } from '@fedrec/client';
import { createRoundParticipant } from '@fedrec/client';
import type { FedRecServer, FedRecServerEvents, FedRecServerOptions } from '@fedrec/server';
import { MODEL_VERSION_HEADER, createServer } from '@fedrec/server';

/** Everything a test started, closed in reverse order by `cleanup()`. */
export class Resources {
  private readonly closers: (() => Promise<void> | void)[] = [];

  add(close: () => Promise<void> | void): void {
    this.closers.push(close);
  }

  /** A fresh directory under the OS temp dir, removed with everything else. */
  async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.add(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async cleanup(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
  }
}

export const SMALL_SHAPE: ParameterShape = { numItems: 20, dim: 3 };

/**
 * A listening server on 127.0.0.1 with a random port, closed by
 * `resources.cleanup()`. With `privacy` and no `modelDir`, it gets a fresh
 * temporary one: DP needs a durable ledger (outside simulation mode).
 */
export async function startServer(resources: Resources, options: Partial<FedRecServerOptions> = {}): Promise<FedRecServer> {
  const needsDir = options.privacy !== undefined && options.modelDir === undefined && options.privacy.simulationMode !== true;
  const modelDir = needsDir ? { modelDir: await resources.tempDir('fedrec-model-') } : {};
  const server = createServer({ host: '127.0.0.1', port: 0, model: { ...SMALL_SHAPE, seed: 'test' }, ...modelDir, ...options });
  resources.add(() => server.close());
  await server.listen();
  return server;
}

/** Resolves with the first `event` from a server whose payload satisfies `match`. Set up before triggering it. */
export function nextServerEvent<K extends keyof FedRecServerEvents>(
  server: FedRecServer,
  event: K,
  match: (payload: FedRecServerEvents[K][0]) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<FedRecServerEvents[K][0]> {
  const emitter = server.events as unknown as EventEmitter;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out waiting for server event '${event}'`));
    }, timeoutMs);
    const listener = (payload: FedRecServerEvents[K][0]): void => {
      if (!match(payload)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(payload);
    };
    emitter.on(event, listener);
  });
}

/** Resolves with the first `event` from a client whose payload satisfies `match`. */
export function nextClientEvent<K extends keyof RoundParticipantEvents>(
  client: RoundParticipant,
  event: K,
  match: (payload: RoundParticipantEvents[K]) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<RoundParticipantEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`timed out waiting for client event '${event}'`));
    }, timeoutMs);
    const listener = (payload: RoundParticipantEvents[K]): void => {
      if (!match(payload)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(payload);
    };
    client.on(event, listener);
  });
}

/** A deterministic, finite delta: what client `label` "learned" in a round. */
export function syntheticDelta(shape: ParameterShape, baseVersion: number, label: string, scale = 0.1): ModelUpdate {
  const random = createSeededRandomSource(`delta/${label}`);
  const values = Float32Array.from({ length: parameterCount(shape) }, () => (random.nextFloat() * 2 - 1) * scale);
  return { shape, baseVersion, values };
}

export interface RecordedUpdate {
  readonly clientIndex: number;
  readonly roundId: number;
  readonly values: Float32Array;
  readonly exampleCount: number;
}

/** A training callback that answers every round with a synthetic delta and records what it sent. */
export function recordingTrainer(clientIndex: number, log: RecordedUpdate[], exampleCount = 1): TrainingCallback {
  return ({ roundId, model }) => {
    const update = syntheticDelta(model.shape, model.version, `${clientIndex}/${roundId}`);
    log.push({ clientIndex, roundId, values: update.values, exampleCount });
    return { update, exampleCount };
  };
}

/** Starts `count` real clients against `server`, each with its own token. */
export function startClients(
  resources: Resources,
  server: FedRecServer,
  count: number,
  train: (index: number) => TrainingCallback,
): RoundParticipant[] {
  const url = server.address!.url;
  return Array.from({ length: count }, (_, index) => {
    const { token } = server.issueToken({ clientId: `client-${index}` });
    const client = createRoundParticipant({ url, token, train: train(index), reconnect: { initialDelayMs: 50, maxDelayMs: 500 } });
    resources.add(() => client.stop());
    client.start();
    return client;
  });
}

export async function fetchModel(baseUrl: string): Promise<{ model: SharedModel; headerVersion: number }> {
  const response = await fetch(new URL('/model', baseUrl));
  if (!response.ok) throw new Error(`GET /model: HTTP ${response.status}`);
  const model = decodeModel(new Uint8Array(await response.arrayBuffer()));
  return { model, headerVersion: Number(response.headers.get(MODEL_VERSION_HEADER)) };
}

/** Element-wise closeness for float32 results of float64 arithmetic. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
