/**
 * Server memory under one client that never reads (issue 13, point 3): a
 * server in a child process, one honest client that answers every round at
 * once (so rounds follow each other as fast as the server can run them, each
 * inviting the stalled client with the whole model), and one hand-rolled
 * client that joins the cohort, stops reading its TCP socket and keeps its
 * session alive with unprompted pongs. Prints the server's RSS and heap once a
 * second, then one JSON object as the last line.
 *
 *   npm run -s reliability:slow-consumer-memory [-- --seconds 60 --items 1682 --dim 32 --max-buffered-bytes N]
 *
 * `--max-buffered-bytes` sets `limits.maxBufferedBytes` (leave it out on a
 * server that predates it).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRoundParticipant } from '@fedrec/client';
import { createSeededRandomSource } from '@fedrec/core';
import { createServer } from '@fedrec/server';
import { StalledClient } from '../test/reliability/stalled-client.js';

const args = process.argv.slice(2);
function option(name: string, fallback: number | undefined): number | undefined {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`expected --${name} to be a positive integer, got ${args[at + 1]}`);
  return value;
}
const seconds = option('seconds', 60)!;
const numItems = option('items', 1682)!;
const dim = option('dim', 32)!;
const maxBufferedBytes = option('max-buffered-bytes', undefined);

interface Line {
  readonly event: string;
  readonly [field: string]: unknown;
}
const report = (line: Line): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

if (args.includes('--serve')) await serve();
else await measure();

/** The child: a server that reports its memory every second. */
async function serve(): Promise<void> {
  const server = createServer({
    host: '127.0.0.1',
    port: 0,
    model: { numItems, dim, seed: 'slow-consumer' },
    // Both clients in every cohort; a round closes at the honest client's update.
    rounds: { minClients: 1, sampling: { kind: 'fixed', size: 10 }, minUpdates: 1, targetUpdates: 1, timeoutMs: 60_000 },
    logLevel: 'silent',
    ...(maxBufferedBytes !== undefined ? { limits: { maxBufferedBytes } } : {}),
  });
  let slowDisconnected: string | null = null;
  server.events.on('clientConnected', ({ clientId }) => report({ event: 'connected', clientId }));
  server.events.on('clientDisconnected', ({ clientId, reason }) => {
    if (clientId === 'stalled') slowDisconnected = reason;
  });
  const { url } = await server.listen();
  report({ event: 'listening', url, honest: server.issueToken({ clientId: 'honest' }).token, stalled: server.issueToken({ clientId: 'stalled' }).token });
  const started = performance.now();
  setInterval(() => {
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    const status = server.status();
    report({ event: 'memory', t: (performance.now() - started) / 1000, rss, heapUsed, external, arrayBuffers, rounds: status.rounds.applied, slowDisconnected });
  }, 1000);
}

/** The parent: starts the child and both clients, prints the figures. */
async function measure(): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...process.execArgv, script, ...args, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Line[] = [];
  let onLine: ((line: Line) => void) | null = null;
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    onLine?.(line);
  });
  const listening = await new Promise<Line>((resolve) => (onLine = (line) => line.event === 'listening' && resolve(line)));
  const url = String(listening.url);

  const random = createSeededRandomSource('slow-consumer/honest');
  const honest = createRoundParticipant({
    url,
    token: String(listening.honest),
    transports: ['websocket'],
    train: ({ model }) => ({ update: { shape: model.shape, baseVersion: model.version, values: model.values.map(() => (random.nextFloat() * 2 - 1) * 0.01) } }),
  });
  // The honest client first: were the stalled one alone when a round opens,
  // that cohort would be the stalled client only and sit out its timeout.
  const honestConnected = new Promise<void>((resolve) => (onLine = (line) => line.event === 'connected' && line.clientId === 'honest' && resolve()));
  honest.start();
  await honestConnected;
  const stalled = await StalledClient.connect(url, String(listening.stalled));
  stalled.stopReading();
  stalled.keepAlive(10_000);

  const baseline = lines.filter((line) => line.event === 'memory').at(-1);
  const samples = await new Promise<Line[]>((resolve) => {
    const taken: Line[] = [];
    onLine = (line) => {
      if (line.event !== 'memory') return;
      taken.push(line);
      if (taken.length >= seconds) resolve(taken);
    };
  });
  honest.stop();
  await stalled.close();
  child.kill('SIGKILL');

  const mib = (bytes: unknown): string => (Number(bytes) / 2 ** 20).toFixed(1);
  console.log(`model ${numItems}×${dim} (${mib((numItems * (dim + 1) + dim) * 4)} MiB of float32), maxBufferedBytes ${maxBufferedBytes ?? 'server default'}`);
  console.log('| t (s) | rounds | RSS (MiB) | heap used (MiB) | array buffers (MiB) | stalled client |');
  console.log('|---|---|---|---|---|---|');
  for (const sample of samples.filter((_, i) => i % 10 === 9 || i === 0)) {
    console.log(`| ${Number(sample.t).toFixed(0)} | ${String(sample.rounds)} | ${mib(sample.rss)} | ${mib(sample.heapUsed)} | ${mib(sample.arrayBuffers)} | ${sample.slowDisconnected === null ? 'connected' : `dropped (${String(sample.slowDisconnected)})`} |`);
  }
  const first = baseline ?? samples[0]!;
  const last = samples.at(-1)!;
  const peak = Math.max(...samples.map((sample) => Number(sample.rss)));
  console.log(
    JSON.stringify({
      seconds,
      numItems,
      dim,
      maxBufferedBytes: maxBufferedBytes ?? null,
      rounds: last.rounds,
      rssStartMiB: Number(mib(first.rss)),
      rssEndMiB: Number(mib(last.rss)),
      rssPeakMiB: Number(mib(peak)),
      rssGrowthMiB: Number(mib(Number(last.rss) - Number(first.rss))),
      stalledClient: last.slowDisconnected ?? 'connected',
    }),
  );
}
