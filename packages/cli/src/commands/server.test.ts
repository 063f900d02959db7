import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PRIVACY, DEFAULT_PRIVATE_SAMPLING, ServerError } from '@fedrec/server';
import { describePrivacy, registerServerCommand, resolveServerCommandConfig, startFailure } from './server.js';
import { RunError } from '../run-error.js';
import { UsageError } from '../usage-error.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function configFile(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fedrec-cli-'));
  dirs.push(dir);
  const file = join(dir, 'server.json');
  await writeFile(file, content);
  return file;
}

async function usageError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error('expected a UsageError');
}

describe('fedrec server: configuration', () => {
  it('lays flags over the config file and fills in defaults', async () => {
    const file = await configFile(JSON.stringify({ port: 9000, rounds: { minClients: 5 }, optimiser: { kind: 'fedadam' }, model: { numItems: 7, dim: 2 } }));
    const config = await resolveServerCommandConfig({ config: file, port: '9100', dim: '3', modelDir: '/tmp/m', catalogue: '/tmp/catalogue.json' });
    expect(config.port).toBe(9100);
    expect(config.catalogueFile).toBe('/tmp/catalogue.json');
    expect(config.model).toMatchObject({ numItems: 7, dim: 3 });
    expect(config.modelDir).toBe('/tmp/m');
    expect(config.rounds.minClients).toBe(5);
    expect(config.optimiser).toMatchObject({ kind: 'fedadam', tau: 1e-3 });
  });

  it('reports every bad field on its own line, naming the flag where there is one', async () => {
    const file = await configFile(JSON.stringify({ rounds: { minClients: 0, sampling: { kind: 'poisson', rate: 2 } }, optimizer: {} }));
    const message = await usageError(resolveServerCommandConfig({ config: file, items: '10', privacy: false }));
    const lines = message.split('\n').slice(1).map((line) => line.trim());
    expect(lines).toHaveLength(4);
    expect(lines).toContain('model.dim (--dim): required: expected number');
    expect(lines.some((line) => line.startsWith('rounds.minClients:'))).toBe(true);
    expect(lines.some((line) => line.startsWith('rounds.sampling.rate:'))).toBe(true);
    expect(lines).toContain('optimizer: unknown field');
  });

  it('--cluster and --cluster-prefix set the cluster block, whose requirements are reported on the fields to change', async () => {
    const secret = 'k'.repeat(32);
    const file = await configFile(JSON.stringify({ auth: { tokenSecret: secret }, cluster: { url: 'redis://10.0.0.9:6379', leaseMs: 3000 } }));
    const config = await resolveServerCommandConfig({ config: file, modelDir: '/shared/m', items: '10', dim: '2', cluster: 'redis://127.0.0.1:6379', clusterPrefix: 'shop-a' });
    expect(config.cluster).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'shop-a', leaseMs: 3000, heartbeatTtlMs: 3000, partialGraceMs: 2000, minSecureGroup: 3 });
    const message = await usageError(resolveServerCommandConfig({ items: '10', dim: '2', cluster: 'http://x', privacy: false }));
    const lines = message.split('\n').slice(1).map((line) => line.trim());
    expect(lines).toContain('cluster.url (--cluster): expected a redis:// or rediss:// URL');
    expect(lines.some((line) => line.startsWith('modelDir (--model-dir): required with cluster'))).toBe(true);
    expect(lines.some((line) => line.startsWith('auth.tokenSecret: required with cluster'))).toBe(true);
    expect(lines.some((line) => line.startsWith('rounds.sampling: must be {"kind":"poisson"'))).toBe(true);
    expect(await usageError(resolveServerCommandConfig({ items: '10', dim: '2', clusterPrefix: 'p' }))).toMatch(/--cluster-prefix: needs --cluster/);
  });

  it('refuses unreadable or non-JSON config files, bad numbers, and having nothing to serve', async () => {
    expect(await usageError(resolveServerCommandConfig({ config: '/nonexistent/server.json' }))).toMatch(/--config: cannot read .* \(ENOENT\)/);
    expect(await usageError(resolveServerCommandConfig({ config: await configFile('{ not json') }))).toMatch(/not valid JSON/);
    expect(await usageError(resolveServerCommandConfig({ config: await configFile('[1]') }))).toMatch(/JSON object/);
    expect(await usageError(resolveServerCommandConfig({ port: 'eighty', items: '1', dim: '1' }))).toMatch(/--port/);
    expect(await usageError(resolveServerCommandConfig({ items: '0', dim: '1' }))).toMatch(/--items/);
    expect(await usageError(resolveServerCommandConfig({}))).toMatch(/nothing to serve/);
  });

  it('gives a config without privacy the default budget, with Poisson sampling, and --no-privacy none', async () => {
    const config = await resolveServerCommandConfig({ items: '5', dim: '2', modelDir: '/tmp/m' });
    expect(config.privacy).toMatchObject({ ...DEFAULT_PRIVACY, noiseMultiplier: expect.any(Number) });
    expect(config.privacy!.noiseMultiplier).toBeGreaterThan(1);
    expect(config.rounds.sampling).toEqual(DEFAULT_PRIVATE_SAMPLING);
    expect(describePrivacy(config, {})).toMatch(/^privacy: the default budget, ε = 3 at δ = 0\.00001, z = 1\.37, q = 0\.05/);
    const plain = await resolveServerCommandConfig({ items: '5', dim: '2', privacy: false });
    expect(plain.privacy).toBeUndefined();
    expect(plain.rounds.sampling).toEqual({ kind: 'fixed', size: 10 });
    expect(describePrivacy(plain, { privacy: false })).toMatch(/none \(--no-privacy\).*decline them \(reason no-privacy\)/);
    // An explicit block is the user's: no default is laid over it.
    const file = await configFile(JSON.stringify({ modelDir: '/tmp/m', model: { numItems: 5, dim: 2 }, rounds: { sampling: { kind: 'poisson', rate: 0.5 } }, privacy: { targetEpsilon: 8, delta: 1e-6, clipNorm: 1, noiseMultiplier: 2 } }));
    expect((await resolveServerCommandConfig({ config: file })).privacy).toMatchObject({ targetEpsilon: 8, noiseMultiplier: 2 });
    expect(await usageError(resolveServerCommandConfig({ config: file, privacy: false }))).toMatch(/--no-privacy: the config file sets privacy/);
  });

  it('explains an error the default budget causes, and how to choose', async () => {
    const message = await usageError(resolveServerCommandConfig({ items: '5', dim: '2' }));
    expect(message).toMatch(/modelDir \(--model-dir\): required with privacy/);
    expect(message).toMatch(/the config sets no privacy, so the default budget applies: ε = 3 at δ = 0\.00001 .*--no-privacy to run without DP/);
    const fixed = await configFile(JSON.stringify({ modelDir: '/tmp/m', model: { numItems: 5, dim: 2 }, rounds: { sampling: { kind: 'fixed', size: 3 } } }));
    expect(await usageError(resolveServerCommandConfig({ config: fixed }))).toMatch(/rounds\.sampling: must be \{"kind":"poisson".*\n\(the config sets no privacy/);
  });

  it('--help describes the options', async () => {
    const program = new Command('fedrec').exitOverride();
    let help = '';
    program.configureOutput({ writeOut: (text) => (help += text), writeErr: () => undefined });
    registerServerCommand(program);
    for (const command of program.commands) {
      command.exitOverride();
      command.configureOutput({ writeOut: (text) => (help += text), writeErr: () => undefined });
    }
    await expect(program.parseAsync(['server', '--help'], { from: 'user' })).rejects.toMatchObject({ exitCode: 0 });
    for (const flag of ['--config', '--port', '--model-dir', '--items', '--dim', '--log-level', '--no-privacy']) expect(help).toContain(flag);
    expect(help).toMatch(/default budget, ε = 3 at δ = 0\.00001 over 200 planned rounds, Poisson rate q = 0\.05/);
  });
});

describe('fedrec server: start failures', () => {
  const config = { modelDir: '/srv/model', host: '127.0.0.1', port: 8080 };
  const errno = (code: string, message: string, fields: Record<string, string> = {}): Error => Object.assign(new Error(message), { code, ...fields });

  it('turns operating-system errors into one line naming the code and where', () => {
    const full = startFailure(errno('ENOSPC', 'ENOSPC: no space left on device, write', { syscall: 'write' }), config);
    expect(full).toBeInstanceOf(RunError);
    expect((full as RunError).message).toBe('cannot start the server: ENOSPC (no space left on device, write) at model dir /srv/model');
    const denied = startFailure(errno('EACCES', "EACCES: permission denied, open '/srv/model/token-secret'", { syscall: 'open', path: '/srv/model/token-secret' }), config);
    expect((denied as RunError).message).toBe("cannot start the server: EACCES (permission denied, open '/srv/model/token-secret') at /srv/model/token-secret");
    const busy = startFailure(errno('EADDRINUSE', 'listen EADDRINUSE: address already in use 127.0.0.1:8080', { syscall: 'listen' }), config);
    expect((busy as RunError).message).toBe('cannot start the server: EADDRINUSE (address already in use 127.0.0.1:8080) at 127.0.0.1:8080');
  });

  it('keeps a ServerError\'s message on one line, and leaves anything else (a bug) as it was', () => {
    const shape = startFailure(new ServerError('CHECKPOINT_SHAPE_MISMATCH', 'checkpoint x holds a 2×2 model'), config);
    expect((shape as RunError).message).toBe('cannot start the server: checkpoint x holds a 2×2 model');
    const bug = new TypeError('undefined is not a function');
    expect(startFailure(bug, config)).toBe(bug);
  });
});

describe('fedrec server: signals', () => {
  afterEach(() => vi.restoreAllMocks());

  it('handles SIGTERM from the moment it says it is listening: the server closes and the command returns', async () => {
    const program = new Command('fedrec').exitOverride();
    registerServerCommand(program);
    const before = new Set(process.listeners('SIGTERM'));
    const ours = (): ((signal: NodeJS.Signals) => void)[] => process.listeners('SIGTERM').filter((listener) => !before.has(listener));
    // Whoever started the server may signal it as soon as it reads the announcement: deliver SIGTERM right then,
    // to the handlers the command has installed by that point. (Before the fix there were none: a real signal
    // killed the process by its default action, exit code null.)
    let handlersAtAnnouncement = -1;
    const write = process.stderr.write.bind(process.stderr);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (!String(chunk).includes('listening on')) return write(chunk, ...(rest as []));
      handlersAtAnnouncement = ours().length;
      for (const listener of ours()) listener('SIGTERM');
      // Without handlers nobody heard it: signal again once there are some, so the command ends and the check below reports.
      if (handlersAtAnnouncement === 0) setImmediate(() => ours().forEach((listener) => listener('SIGTERM')));
      return true;
    });
    await program.parseAsync(['server', '--items', '4', '--dim', '2', '--port', '0', '--no-privacy', '--log-level', 'silent'], { from: 'user' });
    expect(handlersAtAnnouncement).toBe(1);
    // The command removed its handlers when it was done.
    expect(ours()).toEqual([]);
  });
});
