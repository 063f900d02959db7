/**
 * The hostile-client and fault pass behind the reliability figures: plays an
 * attacker and an unlucky operator against the real server and prints what
 * held.
 *
 *   npm run reliability:hostile-pass [-- --sockets 2000 --cycles 30 --seed 1 --sections malformed,sockets,kill]
 *
 * 1. Malformed input: handshakes, protocol messages, binary updates, raw
 *    engine.io frames and HTTP requests, each refused with a reason (or the
 *    connection closed), the server answering throughout.
 * 2. Sockets held: N concurrent socket.io clients, each welcomed.
 * 3. Kill/restart: the `fedrec server` process SIGKILLed at seeded random
 *    moments while clients train; after each restart the server must serve
 *    at least the newest version it had served, never two contents under
 *    one version, and never report less ε than it had.
 *
 * Progress goes to stderr; the last line of stdout is one JSON object.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as netConnect, createServer as netServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { MessageKind, PROTOCOL_VERSION, ProtocolEvent, encodeModel, encodeUpdate, parameterCount, rejectReasonName, type ParameterShape, type RejectedMessage } from '@fedrec/core';
import { createRoundParticipant, enrol, type RoundParticipant } from '@fedrec/client';
import { createServer, type FedRecServer } from '@fedrec/server';

const args = new Map<string, string>();
for (let i = 2; i + 1 < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const SOCKETS = Number(args.get('sockets') ?? 2_000);
const CYCLES = Number(args.get('cycles') ?? 30);
const SEED = args.get('seed') ?? '1';
/** Which parts to run (all by default): `malformed`, `sockets`, `kill`. */
const SECTIONS = new Set((args.get('sections') ?? 'malformed,sockets,kill').split(','));
const SHAPE: ParameterShape = { numItems: 20, dim: 3 };
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** What a malformed input got: a refusal reason, an HTTP status, or the connection closed. */
type Outcome = string;

function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

async function assertAlive(server: FedRecServer): Promise<void> {
  const response = await fetch(new URL('/status', server.address!.url));
  if (response.status !== 200) throw new Error(`/status answered ${response.status}`);
}

// ---- 1. malformed input -------------------------------------------------

async function handshakes(server: FedRecServer): Promise<Outcome[]> {
  const url = server.address!.url;
  const good = server.issueToken({ clientId: 'handshake' }).token;
  const other = createServer({ port: 0, model: { ...SHAPE }, logLevel: 'silent' });
  await other.listen();
  const forged = other.issueToken({ clientId: 'handshake' }).token;
  await other.close();
  const cases: unknown[] = [
    undefined,
    null,
    'token',
    42,
    [],
    {},
    { token: good },
    { protocolVersion: PROTOCOL_VERSION },
    { token: 42, protocolVersion: PROTOCOL_VERSION },
    { token: '', protocolVersion: PROTOCOL_VERSION },
    { token: 'x'.repeat(10_000), protocolVersion: PROTOCOL_VERSION },
    { token: forged, protocolVersion: PROTOCOL_VERSION },
    { token: `${good}x`, protocolVersion: PROTOCOL_VERSION },
    { token: good.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), protocolVersion: PROTOCOL_VERSION },
    { token: good, protocolVersion: 999 },
    { token: good, protocolVersion: '1' },
    { token: good, protocolVersion: PROTOCOL_VERSION, extra: true },
  ];
  const outcomes: Outcome[] = [];
  for (const auth of cases) {
    const socket = io(url, { forceNew: true, transports: ['websocket'], reconnection: false, ...(auth === undefined ? {} : { auth: auth as Record<string, unknown> }) });
    const outcome = await withTimeout(
      new Promise<Outcome>((resolve) => {
        socket.once('connect_error', (error: Error & { data?: RejectedMessage }) => resolve(error.data !== undefined ? (rejectReasonName(error.data.reason) ?? 'refused') : 'refused'));
        socket.once(ProtocolEvent.welcome, () => resolve('ACCEPTED'));
        // A CONNECT packet whose payload is not an object is a parser error: the server closes the transport.
        // (socket.io-client closes the transport just before it emits connect_error: let that come first.)
        socket.io.once('close', () => setImmediate(() => resolve('CLOSED')));
      }),
      10_000,
      'handshake',
    );
    socket.disconnect();
    outcomes.push(outcome);
  }
  return outcomes;
}

function updateBytes(values: Float32Array, baseVersion: number, shape = SHAPE): Uint8Array {
  return encodeUpdate({ shape, baseVersion, values });
}

/** Joins as a cohort member: connects, declares itself ready, and waits for the round's invitation. */
async function joinRound(server: FedRecServer, clientId: string): Promise<{ socket: Socket; roundId: number; modelVersion: number }> {
  const socket = io(server.address!.url, { forceNew: true, transports: ['websocket'], reconnection: false, auth: { token: server.issueToken({ clientId }).token, protocolVersion: PROTOCOL_VERSION } });
  const invited = new Promise<{ roundId: number; modelVersion: number }>((resolve) => socket.once(ProtocolEvent.roundStart, resolve));
  socket.on('connect', () => socket.emit(ProtocolEvent.ready, { v: PROTOCOL_VERSION, kind: MessageKind.ready, eligible: true }));
  const { roundId, modelVersion } = await withTimeout(invited, 10_000, 'invitation');
  return { socket, roundId, modelVersion };
}

/** Protocol messages from a cohort member of an open round (strikes set high so each input is judged on its own). */
async function messages(server: FedRecServer): Promise<{ outcomes: Outcome[]; finalUpdateAccepted: boolean }> {
  let { socket, roundId, modelVersion } = await joinRound(server, 'attacker');
  const meta = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ v: PROTOCOL_VERSION, kind: MessageKind.update, roundId, ...extra });
  const floats = parameterCount(SHAPE);
  const random = seedrandom(`${SEED}/messages`);
  const valid = Float32Array.from({ length: floats }, () => (random() - 0.5) * 0.1);
  const good = updateBytes(valid, modelVersion);
  const with_ = (patch: (bytes: Uint8Array) => void): Uint8Array => {
    const copy = good.slice();
    patch(copy);
    return copy;
  };
  const nan = valid.slice();
  nan[3] = Number.NaN;
  const inf = valid.slice();
  inf[5] = Number.POSITIVE_INFINITY;
  const huge = Float32Array.from({ length: floats }, (_, i) => (i % 2 === 0 ? 3.4e38 : -3.4e38));
  const cases: unknown[][] = [
    // Unknown or server-only events.
    ['nope', {}],
    ['', {}],
    [ProtocolEvent.welcome, {}],
    [ProtocolEvent.roundStart, {}],
    [ProtocolEvent.rejected, {}],
    ['x'.repeat(1_000), 1],
    // ready, malformed.
    ...[null, {}, 'ready', 7, [], { v: PROTOCOL_VERSION }, { v: 99, kind: MessageKind.ready, eligible: true }, { v: PROTOCOL_VERSION, kind: MessageKind.update, eligible: true }, { v: PROTOCOL_VERSION, kind: MessageKind.ready, eligible: 'yes' }, { v: PROTOCOL_VERSION, kind: MessageKind.ready, eligible: true, extra: 1 }].map((payload) => [ProtocolEvent.ready, payload]),
    // update metadata, malformed.
    ...[
      null,
      {},
      [],
      'update',
      meta({ roundId: 'one' }),
      meta({ roundId: -1 }),
      meta({ roundId: 1.5 }),
      meta({ roundId: 2 ** 60 }),
      meta({ kind: MessageKind.ready }),
      meta({ v: 2 }),
      meta({ unclipped: 'no' }),
      meta({ exampleCount: -3 }),
      meta({ exampleCount: 1e12 }),
      meta({ extra: true }),
      { ...meta(), roundId: undefined },
    ].map((payload) => [ProtocolEvent.update, payload, good]),
    // update, wrong number of parts.
    [ProtocolEvent.update],
    [ProtocolEvent.update, meta()],
    [ProtocolEvent.update, meta(), good, good],
    // update binary, malformed.
    ...[
      'bytes',
      42,
      { bytes: [1, 2, 3] },
      new Uint8Array(0),
      new Uint8Array(10),
      Uint8Array.from({ length: good.length }, () => Math.floor(random() * 256)),
      good.subarray(0, good.length - 4),
      good.subarray(0, 20),
      new Uint8Array(good.length + 4),
      with_((b) => (b[0] = 0x00)), // magic
      with_((b) => (b[4] = 0x09)), // format version
      with_((b) => (b[6] = 0x7f)), // kind
      with_((b) => (b[7] = 0x7f)), // dtype
      with_((b) => (b[b.length - 1] = b[b.length - 1]! ^ 0xff)), // payload: checksum no longer matches
      with_((b) => (b[40] = b[40]! ^ 0x01)),
      updateBytes(nan, modelVersion),
      updateBytes(inf, modelVersion),
      updateBytes(huge, modelVersion),
      updateBytes(new Float32Array(parameterCount({ numItems: 19, dim: 3 })), modelVersion, { numItems: 19, dim: 3 }),
      updateBytes(new Float32Array(parameterCount({ numItems: 20, dim: 2 })), modelVersion, { numItems: 20, dim: 2 }),
      encodeModel({ shape: SHAPE, version: modelVersion, values: valid }),
    ].map((binary) => [ProtocolEvent.update, meta(), binary]),
    // update for rounds that are not open.
    [ProtocolEvent.update, meta({ roundId: roundId + 1 }), good],
    [ProtocolEvent.update, meta({ roundId: roundId + 1_000 }), good],
    [ProtocolEvent.update, meta({ roundId: 0 }), good],
    [ProtocolEvent.update, meta(), updateBytes(valid, modelVersion + 1)],
    // SecAgg messages to a plain round, and garbage envelopes.
    ...[
      null,
      {},
      { v: PROTOCOL_VERSION, kind: MessageKind.secAggClient, roundId, message: {} },
      { v: PROTOCOL_VERSION, kind: MessageKind.secAggClient, roundId, message: { stage: 'advertise' } },
      { v: PROTOCOL_VERSION, kind: MessageKind.secAggClient, roundId: 'r', message: {} },
    ].map((envelope) => [ProtocolEvent.secAggClient, envelope, new Uint8Array(4)]),
    [ProtocolEvent.secAggClient, { v: PROTOCOL_VERSION, kind: MessageKind.secAggClient, roundId, message: {} }, 'not binary'],
    // A binary placeholder pointing past the attachments is a socket.io parser error: the server closes the transport (last, as the socket is gone after it).
    [ProtocolEvent.secAggClient, { v: PROTOCOL_VERSION, kind: MessageKind.secAggClient, roundId, message: { a: { _placeholder: true, num: 9 } } }, new Uint8Array(4)],
  ];
  const outcomes: Outcome[] = [];
  for (const [event, ...rest] of cases) {
    const answer = new Promise<Outcome>((resolve) => {
      const onRejected = (message: RejectedMessage): void => {
        socket.off(ProtocolEvent.updateAccepted, onAccepted);
        resolve(rejectReasonName(message.reason) ?? `code ${message.reason}`);
      };
      const onAccepted = (): void => {
        socket.off(ProtocolEvent.rejected, onRejected);
        resolve('ACCEPTED');
      };
      socket.once(ProtocolEvent.rejected, onRejected);
      socket.once(ProtocolEvent.updateAccepted, onAccepted);
      socket.once('disconnect', () => resolve('CLOSED'));
    });
    socket.emit(event as string, ...rest);
    // A malformed `ready` the server takes as a no-op would get no answer: there is none in this list, so every case must be answered.
    outcomes.push(await withTimeout(answer, 10_000, `answer to ${String(event)} ${JSON.stringify(rest).slice(0, 200)}`));
  }
  // After all that, an honest update still counts (from a fresh connection if the last input closed this one).
  if (socket.disconnected) ({ socket, roundId, modelVersion } = await joinRound(server, 'attacker'));
  const accepted = new Promise<boolean>((resolve) => {
    socket.once(ProtocolEvent.updateAccepted, () => resolve(true));
    socket.once(ProtocolEvent.rejected, () => resolve(false));
  });
  socket.emit(ProtocolEvent.update, meta(), updateBytes(valid, modelVersion));
  const finalUpdateAccepted = await withTimeout(accepted, 10_000, 'final update');
  socket.disconnect();
  return { outcomes, finalUpdateAccepted };
}

/** Raw engine.io frames on a websocket that has not (or has) completed the socket.io handshake. */
async function frames(server: FedRecServer): Promise<Outcome[]> {
  const wsUrl = `${server.address!.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const random = seedrandom(`${SEED}/frames`);
  const cases: (string | Uint8Array)[] = [
    '',
    'garbage',
    '9',
    '4',
    '40{',
    '40{"token":1}',
    '42',
    '42[',
    '42["fedrec:ready"',
    '42{"a":1}',
    '451-["fedrec:update",{"_placeholder":true,"num":0}]',
    '451-["fedrec:update",{"_placeholder":true,"num":5}]',
    `42${'['.repeat(10_000)}`,
    `4${'x'.repeat(100_000)}`,
    new Uint8Array(0),
    Uint8Array.from({ length: 64 }, () => Math.floor(random() * 256)),
    new Uint8Array(2_000_000),
  ];
  const outcomes: Outcome[] = [];
  for (const frame of cases) {
    const ws = new WebSocket(wsUrl);
    await withTimeout(once(ws, 'message'), 10_000, 'engine.io open packet');
    const closed = once(ws, 'close').then(() => 'CLOSED' as const);
    ws.send(frame);
    // The server either closes the connection or ignores the frame; a ping round trip tells the two apart.
    const pong = new Promise<'IGNORED'>((resolve) => {
      ws.on('message', (data) => String(data) === '3probe' && resolve('IGNORED'));
      setTimeout(() => ws.readyState === WebSocket.OPEN && ws.send('2probe'), 50);
    });
    outcomes.push(await withTimeout(Promise.race([closed, pong]), 10_000, 'frame outcome'));
    ws.terminate();
  }
  return outcomes;
}

function rawHttp(port: number, request: string | Uint8Array): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    let head = '';
    socket.on('data', (chunk: Buffer) => (head += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      resolve(status !== undefined ? `HTTP ${status}` : 'CLOSED');
    });
    socket.write(request);
    socket.end();
  });
}

async function httpRequests(server: FedRecServer): Promise<Outcome[]> {
  const { port, url } = server.address!;
  const outcomes: Outcome[] = [];
  // Every combination but the three legitimate ones (GET /status, GET /model, GET /model?x=1).
  const legitimate = new Set(['GET /status', 'GET /model', 'GET /model?x=1']);
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    for (const path of ['/status', '/model', '/enrol', '/', '/nope', '/status/', '/model?x=1', '/../etc/passwd', '/%zz', `/${'a'.repeat(5_000)}`]) {
      if (legitimate.has(`${method} ${path}`)) continue;
      const response = await fetch(new URL(path, url), { method, headers: method === 'POST' ? { authorization: 'Bearer wrong-enrolment-key-0123' } : {} });
      await response.arrayBuffer();
      outcomes.push(`HTTP ${response.status}`);
    }
  }
  const raw = [
    'GARBAGE\r\n\r\n',
    'GET\r\n\r\n',
    'GET / HTTP/9.9\r\n\r\n',
    'GET /status HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    'GET /status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc',
    `GET /status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
    'GET /status HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
    '\x00\x01\x02\x03\r\n\r\n',
    'POST /enrol HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n{',
    'GET /socket.io/?EIO=99&transport=websocket HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /socket.io/?EIO=4&transport=carrier-pigeon HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /socket.io/?EIO=4&transport=polling&sid=nope HTTP/1.1\r\nHost: x\r\n\r\n',
  ];
  for (const request of raw) outcomes.push(await rawHttp(port, request));
  return outcomes;
}

async function malformedInput(): Promise<Record<string, unknown>> {
  const server = createServer({
    host: '127.0.0.1',
    port: 0,
    model: { ...SHAPE, seed: 'hostile' },
    rounds: { minClients: 1, sampling: { kind: 'fixed', size: 1 }, minUpdates: 1, timeoutMs: 600_000 },
    limits: { maxStrikes: 1_000_000, maxUpdateNorm: 100 },
    auth: { enrolment: 'key', enrolmentKey: 'the-real-enrolment-key-0123' },
    logLevel: 'silent',
  });
  await server.listen();
  try {
    const sections = {
      handshakes: await handshakes(server),
      messages: await messages(server),
      frames: await frames(server),
      http: await httpRequests(server),
    };
    await assertAlive(server);
    const all = [...sections.handshakes, ...sections.messages.outcomes, ...sections.frames, ...sections.http];
    const accepted = all.filter((outcome) => outcome === 'ACCEPTED' || outcome === 'HTTP 200').length;
    log(`malformed input: ${all.length} tried; handshakes ${JSON.stringify(tally(sections.handshakes))}; messages ${JSON.stringify(tally(sections.messages.outcomes))}; frames ${JSON.stringify(tally(sections.frames))}; http ${JSON.stringify(tally(sections.http))}`);
    return {
      malformedTried: all.length,
      malformedAccepted: accepted,
      handshakes: tally(sections.handshakes),
      messages: tally(sections.messages.outcomes),
      frames: tally(sections.frames),
      http: tally(sections.http),
      honestUpdateAcceptedAfter: sections.messages.finalUpdateAccepted,
    };
  } finally {
    await server.close();
  }
}

// ---- 2. sockets held ----------------------------------------------------

async function socketsHeld(count: number): Promise<Record<string, unknown>> {
  // Every socket comes from 127.0.0.1: the per-source handshake limit (which would refuse most of them, as it should) is off here.
  const server = createServer({ host: '127.0.0.1', port: 0, model: { ...SHAPE }, rounds: { minClients: count + 1 }, http: { rateLimits: { handshake: false } }, logLevel: 'silent' });
  const { url } = await server.listen();
  const sockets: Socket[] = [];
  try {
    const welcomed: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const socket = io(url, { forceNew: true, transports: ['websocket'], reconnection: false, auth: { token: server.issueToken({ clientId: `held-${i}` }).token, protocolVersion: PROTOCOL_VERSION } });
      sockets.push(socket);
      welcomed.push(new Promise((resolve) => socket.once(ProtocolEvent.welcome, resolve)));
      // Let the handshakes through in waves rather than one burst of thousands.
      if (i % 200 === 199) await Promise.all(welcomed.slice(i - 199));
    }
    await withTimeout(Promise.all(welcomed), 120_000, 'every socket welcomed');
    const connected = server.status().clients.connected;
    await assertAlive(server);
    log(`sockets held: ${connected} of ${count}`);
    return { socketsOpened: count, socketsHeld: connected };
  } finally {
    for (const socket of sockets) socket.disconnect();
    await server.close();
  }
}

// ---- 3. kill/restart cycles -------------------------------------------------

async function freePort(): Promise<number> {
  const probe = netServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  return port;
}

async function killRestart(cycles: number): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'fedrec-hostile-'));
  const port = await freePort();
  const config = {
    host: '127.0.0.1',
    port,
    modelDir: join(dir, 'model'),
    model: { ...SHAPE, seed: 'kill' },
    rounds: { minClients: 3, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 3, timeoutMs: 5_000 },
    privacy: { targetEpsilon: 1e6, delta: 1e-5, clipNorm: 1, noiseMultiplier: 1, placement: 'local' },
    logLevel: 'warn',
  };
  const configFile = join(dir, 'server.json');
  await writeFile(configFile, JSON.stringify(config));
  const bin = fileURLToPath(new URL('../packages/cli/bin/fedrec.js', import.meta.url));
  const random = seedrandom(`${SEED}/kill`);
  const served = new Map<number, string>();
  let newestServed = 0;
  let mostEpsilon = 0;
  const violations: string[] = [];
  let clients: RoundParticipant[] = [];
  let tokens: string[] = [];
  try {
    for (let cycle = 0; cycle < cycles; cycle++) {
      const child = spawn(process.execPath, [bin, 'server', '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = once(child, 'exit');
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          child.stderr.on('data', () => stderr.includes('listening on') && resolve());
          void exited.then(() => reject(new Error(`server exited before listening: ${stderr.slice(-2_000)}`)));
        }),
        30_000,
        'server listening',
      );
      const url = `http://127.0.0.1:${port}`;
      if (tokens.length === 0) tokens = await Promise.all([0, 1, 2].map(async () => (await enrol(url)).token));
      if (clients.length === 0) {
        clients = tokens.map((token, index) =>
          createRoundParticipant({
            url,
            token,
            reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
            train: ({ roundId, model }) => ({ delta: { shape: model.shape, baseVersion: model.version, values: Float32Array.from({ length: model.values.length }, (_, i) => Math.sin(index + roundId + i) * 0.05) } }),
          }),
        );
        for (const client of clients) client.on('error', () => undefined);
        for (const client of clients) client.start();
      }
      // Right after a restart the server must serve at least the newest version it had served, and no less ε.
      const check = async (when: string): Promise<void> => {
        const response = await fetch(new URL('/model', url));
        const bytes = new Uint8Array(await response.arrayBuffer());
        const version = Number(response.headers.get('x-fedrec-model-version'));
        const hash = createHash('sha256').update(bytes).digest('hex');
        if (served.has(version) && served.get(version) !== hash) violations.push(`cycle ${cycle} ${when}: version ${version} served with other bytes`);
        served.set(version, hash);
        if (version < newestServed) violations.push(`cycle ${cycle} ${when}: served version ${version} after ${newestServed}`);
        newestServed = Math.max(newestServed, version);
        const status = (await (await fetch(new URL('/status', url))).json()) as { privacy: { epsilonSpent: number } | null };
        const epsilon = status.privacy?.epsilonSpent ?? 0;
        if (epsilon < mostEpsilon) violations.push(`cycle ${cycle} ${when}: ε ${epsilon} after ${mostEpsilon}`);
        mostEpsilon = Math.max(mostEpsilon, epsilon);
      };
      await check('after restart');
      await new Promise((resolve) => setTimeout(resolve, 100 + random() * 1_400));
      await check('before kill');
      child.kill('SIGKILL');
      await exited;
    }
  } finally {
    for (const client of clients) client.stop();
    await rm(dir, { recursive: true, force: true });
  }
  log(`kill/restart: ${cycles} cycles, newest version ${newestServed}, ε ${mostEpsilon.toFixed(3)}, ${violations.length} violations${violations.length > 0 ? `: ${violations.join('; ')}` : ''}`);
  return { killRestartCycles: cycles, versionsReached: newestServed, epsilonReached: mostEpsilon, killRestartViolations: violations.length };
}

const figures = {
  ...(SECTIONS.has('malformed') ? await malformedInput() : {}),
  ...(SECTIONS.has('sockets') ? await socketsHeld(SOCKETS) : {}),
  ...(SECTIONS.has('kill') ? await killRestart(CYCLES) : {}),
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.exit(0);
