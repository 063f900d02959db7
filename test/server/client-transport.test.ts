import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import type { RoundStartMessage, ShoppingEvent, WelcomeMessage } from '@fedrec/core';
import { MessageKind, PROTOCOL_VERSION, ProtocolEvent, createSeededRandomSource, decodeUpdate, encodeModel, createSharedModel, l2Norm, parameterCount } from '@fedrec/core';
import { createRoundParticipant, enrol } from '@fedrec/client';
import { Resources, nextClientEvent, nextServerEvent, startServer, syntheticDelta } from './helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

function shopperEvents(seed: string, numItems: number): ShoppingEvent[] {
  const random = createSeededRandomSource(seed);
  return Array.from({ length: 12 }, (_, i) => ({
    item: Math.floor(random.nextFloat() * numItems),
    type: (['view', 'cart', 'purchase'] as const)[i % 3]!,
    time: 1_700_000_000_000 + i,
  }));
}

describe('client transport against the real server', () => {
  it('enrols, trains with the default trainer (trainLocally + clip + noise), and the round applies', async () => {
    const clipNorm = 0.5;
    const server = await startServer(resources, {
      model: { numItems: 30, dim: 4, seed: 'default-trainer' },
      rounds: { minClients: 2, sampling: { kind: 'fixed', size: 2 }, minUpdates: 2, cooldownMs: 600_000 },
    });
    const url = server.address!.url;
    const before = server.model();
    const applied = nextServerEvent(server, 'roundClosed');
    for (const name of ['alice', 'bob']) {
      const client = createRoundParticipant({
        url,
        token: async () => (await enrol(url)).token,
        events: shopperEvents(name, 30),
        // No noise here so the clip bound is observable in the model; noise is core's tested job.
        privacy: { clipNorm, noiseMultiplier: 0 },
        training: { userEpochs: 2, epochs: 2 },
        random: createSeededRandomSource(name),
      });
      resources.add(() => client.stop());
      client.start();
    }
    expect(await applied).toMatchObject({ outcome: 'applied', accepted: 2 });
    const after = server.model();
    const change = Float32Array.from(after.values, (x, i) => x - before.values[i]!);
    // FedAvg with η = 1 moves the model by the mean of two updates, each clipped to C.
    expect(l2Norm(change)).toBeGreaterThan(0);
    expect(l2Norm(change)).toBeLessThanOrEqual(clipNorm * (1 + 1e-5));
  });

  it('re-asks its token provider after a refusal, and connects with the fresh token', async () => {
    const server = await startServer(resources);
    let calls = 0;
    const client = createRoundParticipant({
      url: server.address!.url,
      token: () => (++calls === 1 ? 'v1.stale.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' : server.issueToken({ clientId: 'refreshed' }).token),
      train: () => null,
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    resources.add(() => client.stop());
    const rejected = nextClientEvent(client, 'rejected');
    const connected = nextClientEvent(client, 'connected');
    client.start();
    expect(await rejected).toMatchObject({ reason: 'BAD_TOKEN', stage: 'connection' });
    expect(await connected).toMatchObject({ clientId: 'refreshed' });
    expect(calls).toBe(2);
  });

  it('a graceful close finishes the open round with the updates in hand; clients see the disconnect', async () => {
    const server = await startServer(resources, {
      rounds: { minClients: 3, sampling: { kind: 'fixed', size: 3 }, minUpdates: 2, timeoutMs: 60_000 },
    });
    const url = server.address!.url;
    const clients = [0, 1, 2].map((index) => {
      const client = createRoundParticipant({
        url,
        token: server.issueToken({ clientId: `g-${index}` }).token,
        // Client 2 never answers, so the round stays open with two updates.
        train: ({ model }) => (index === 2 ? new Promise(() => undefined) : { update: syntheticDelta(model.shape, model.version, `g${index}`) }),
      });
      resources.add(() => client.stop());
      return client;
    });
    const twoIn = new Promise<void>((resolve) => {
      let accepted = 0;
      server.events.on('updateAccepted', () => ++accepted === 2 && resolve());
    });
    for (const client of clients) client.start();
    await twoIn;
    const closed = nextServerEvent(server, 'roundClosed');
    const disconnected = nextClientEvent(clients[0]!, 'disconnected');
    await server.close();
    expect(await closed).toMatchObject({ outcome: 'applied', cause: 'shutdown', accepted: 2, modelVersion: 1 });
    expect(await disconnected).toMatchObject({ willReconnect: true });
  });
});

describe('what the client sends', () => {
  /** A bare socket.io server that plays the FedRec server and records every event the client emits. */
  async function fakeServer(roundStart: (socket: import('socket.io').Socket) => void) {
    const http = createHttpServer();
    const io = new Server(http, { maxHttpBufferSize: 1e7 });
    const received: { event: string; args: unknown[] }[] = [];
    const auths: unknown[] = [];
    const waiters: { count: number; resolve: () => void }[] = [];
    /** Resolves once the client has emitted `count` events in all. */
    const receivedCount = (count: number): Promise<void> =>
      received.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }));
    io.on('connection', (socket) => {
      auths.push(socket.handshake.auth);
      socket.onAny((event: string, ...args: unknown[]) => {
        received.push({ event, args });
        for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
      });
      const welcome: WelcomeMessage = { v: PROTOCOL_VERSION, kind: MessageKind.welcome, clientId: 'c1', modelVersion: 5, shape: { numItems: 6, dim: 2 }, maxUpdateBytes: 1000 };
      socket.emit(ProtocolEvent.welcome, welcome);
      roundStart(socket);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    resources.add(() => new Promise<void>((resolve) => io.close(() => resolve())));
    return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, received, auths, receivedCount };
  }

  const model = { ...createSharedModel({ numItems: 6, dim: 2 }, { seed: 'fake' }), version: 5 };
  const start = (roundId: number, wantsExampleCount: boolean): RoundStartMessage => ({
    v: PROTOCOL_VERSION,
    kind: MessageKind.roundStart,
    roundId,
    modelVersion: 5,
    timeoutMs: 1000,
    wantsExampleCount,
  });

  it.each([false, true])('sends only the protocol metadata and the update bytes (example count asked: %s)', async (wantsExampleCount) => {
    const fake = await fakeServer((socket) => socket.emit(ProtocolEvent.roundStart, start(9, wantsExampleCount), encodeModel(model)));
    const client = createRoundParticipant({
      url: fake.url,
      token: 'opaque-token',
      events: [{ item: 1, type: 'purchase', time: 1 }],
      privacy: { clipNorm: 1, noiseMultiplier: 1.1 },
      training: { userEpochs: 1, epochs: 1 },
    });
    resources.add(() => client.stop());
    const sent = nextClientEvent(client, 'updateSent');
    client.start();
    await sent;
    await fake.receivedCount(2);
    expect(fake.auths).toEqual([{ token: 'opaque-token', protocolVersion: PROTOCOL_VERSION }]);
    expect(fake.received.map((r) => r.event)).toEqual([ProtocolEvent.ready, ProtocolEvent.update]);
    expect(fake.received[0]!.args).toEqual([{ v: PROTOCOL_VERSION, kind: MessageKind.ready, eligible: true }]);
    const [meta, bytes, ...rest] = fake.received[1]!.args;
    expect(rest).toEqual([]);
    expect(meta).toEqual({ v: PROTOCOL_VERSION, kind: MessageKind.update, roundId: 9, ...(wantsExampleCount ? { exampleCount: 1 } : {}) });
    expect(bytes).toBeInstanceOf(Uint8Array);
    const update = decodeUpdate(bytes as Uint8Array, { expectedShape: model.shape });
    expect(update.baseVersion).toBe(5);
    expect(update.values).toHaveLength(parameterCount(model.shape));
    // Dense: every coordinate carries noise, not just the touched item's.
    expect(update.values.filter((x) => x === 0)).toHaveLength(0);
  });

  it('refuses a corrupt model with a typed error and sends no update', async () => {
    const corrupt = encodeModel(model);
    corrupt[40] = corrupt[40]! ^ 0xff;
    const fake = await fakeServer((socket) => socket.emit(ProtocolEvent.roundStart, start(3, false), corrupt));
    const client = createRoundParticipant({ url: fake.url, token: 't', train: () => ({ update: syntheticDelta(model.shape, 5, 'never') }) });
    resources.add(() => client.stop());
    const error = nextClientEvent(client, 'error');
    client.start();
    expect(await error).toMatchObject({ code: 'BAD_SERVER_MESSAGE' });
    // A marker after the refusal: socket.io keeps order, so an update sent in between would show before it.
    client.setEligible(false);
    await fake.receivedCount(2);
    expect(fake.received.map((r) => r.event)).toEqual([ProtocolEvent.ready, ProtocolEvent.ready]);
    expect(fake.received[1]!.args[0]).toMatchObject({ eligible: false });
  });
});
