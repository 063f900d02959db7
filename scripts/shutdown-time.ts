/**
 * How long `fedrec server` takes to exit on SIGTERM while clients hold it
 * open (issue 13, point 4): a round is open with one update in, `--half-open`
 * HTTP requests have sent a request line and one header and nothing more, the
 * round's other member has stopped reading (`--stalled 1`, a hand-rolled
 * socket.io client) or is still training (`--stalled 0`), and one honest
 * client is connected.
 * Prints the time from SIGTERM to exit, the exit code and the round the
 * newest checkpoint closed, then one JSON object as the last line.
 *
 *   npm run -s reliability:shutdown-time [-- --half-open 10 --stalled 1 --limit-seconds 150]
 *
 * A server that has not exited after `--limit-seconds` is killed (and
 * reported as such).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRoundParticipant } from '@fedrec/client';
import { CheckpointStore, issueToken } from '@fedrec/server';
import { StalledClient } from '../test/reliability/stalled-client.js';

const args = process.argv.slice(2);
function option(name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`expected --${name} to be a non-negative integer, got ${args[at + 1]}`);
  return value;
}
const halfOpen = option('half-open', 10);
const stalledClients = option('stalled', 1);
const limitSeconds = option('limit-seconds', 150);

const CLI = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));
const modelDir = await mkdtemp(join(tmpdir(), 'fedrec-shutdown-'));
const tokenSecret = 'shutdown-time-script-secret-0123456789abcdef';
const configFile = join(modelDir, 'server.json');
// Both clients are in every cohort and the round waits for both: the second never answers, so the round stays open.
await writeFile(
  configFile,
  JSON.stringify({
    host: '127.0.0.1',
    port: 0,
    modelDir: join(modelDir, 'model'),
    model: { numItems: 1682, dim: 32 },
    auth: { tokenSecret },
    rounds: { minClients: 2, sampling: { kind: 'fixed', size: 2 }, minUpdates: 1, timeoutMs: 600_000 },
    logLevel: 'silent',
  }),
);

// --no-privacy: a fixed cohort of two, without DP (a config without privacy would otherwise get the default budget, which needs Poisson sampling).
const server = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI, 'server', '--config', configFile, '--no-privacy'], { stdio: ['ignore', 'ignore', 'pipe'] });
const exited = once(server, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
const url = await new Promise<string>((resolve, reject) => {
  createInterface({ input: server.stderr }).on('line', (line) => {
    const match = /listening on (\S+)/.exec(line);
    if (match) resolve(match[1]!);
  });
  void exited.then(() => reject(new Error('the server exited before listening')));
});

const honest = createRoundParticipant({
  url,
  token: issueToken({ secret: tokenSecret, clientId: 'honest' }).token,
  transports: ['websocket'],
  train: ({ model }) => ({ update: { shape: model.shape, baseVersion: model.version, values: new Float32Array(model.values.length).fill(0.001) } }),
});
const accepted = new Promise<number>((resolve) => honest.on('updateAccepted', ({ roundId }) => resolve(roundId)));
honest.start();
// The second member: a client that stops reading, or one whose training never finishes.
let stalled: StalledClient | null = null;
let training: ReturnType<typeof createRoundParticipant> | null = null;
if (stalledClients > 0) {
  stalled = await StalledClient.connect(url, issueToken({ secret: tokenSecret, clientId: 'stalled' }).token);
} else {
  training = createRoundParticipant({ url, token: issueToken({ secret: tokenSecret, clientId: 'training' }).token, transports: ['websocket'], train: () => new Promise<null>(() => undefined) });
  training.start();
}
const openRound = await accepted;
stalled?.stopReading();

const { port } = new URL(url);
const requests: Socket[] = [];
for (let i = 0; i < halfOpen; i++) {
  const socket = connect(Number(port), '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write('GET /status HTTP/1.1\r\nHost: x\r\n'); // and never the blank line that ends the headers
  requests.push(socket);
}

const signalled = performance.now();
server.kill('SIGTERM');
const limit = setTimeout(() => server.kill('SIGKILL'), limitSeconds * 1000);
const [code, signal] = await exited;
const seconds = (performance.now() - signalled) / 1000;
clearTimeout(limit);
honest.stop();
training?.stop();
await stalled?.close();
for (const socket of requests) socket.destroy();

const latest = await new CheckpointStore(join(modelDir, 'model'), 3).loadLatest();
const checkpointedRound = latest?.data.lastRoundId ?? null;
await rm(modelDir, { recursive: true, force: true });

console.log(`SIGTERM with round ${openRound} open, ${halfOpen} half-sent HTTP requests, ${stalled !== null ? 'one client not reading' : 'one client still training'}, one honest client`);
console.log(`exit after ${seconds.toFixed(2)} s: ${signal === 'SIGKILL' ? `still running after ${limitSeconds} s, killed` : `code ${code}`}`);
console.log(`newest checkpoint closed round ${checkpointedRound ?? 'none'}`);
console.log(JSON.stringify({ halfOpen, stalledClients, seconds: Number(seconds.toFixed(2)), exitCode: code, killedAfterLimit: signal === 'SIGKILL', openRound, checkpointedRound }));
