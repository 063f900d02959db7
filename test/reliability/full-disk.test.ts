import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../server/helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));

/** Mounts a 256 KiB tmpfs on a fresh directory; null (with why) where mounting is not permitted. */
async function smallDisk(): Promise<{ dir: string } | { refused: string }> {
  const dir = await resources.tempDir('fedrec-full-disk-');
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
  } catch (error) {
    return { refused: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
  resources.add(async () => void (await run('umount', [dir])));
  return { dir };
}

/** Appends to a file until the disk says ENOSPC. */
async function fill(dir: string): Promise<void> {
  const chunk = Buffer.alloc(16 * 1024);
  for (;;) {
    try {
      await appendFile(join(dir, 'filler'), chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw error;
    }
  }
}

describe('starting on a full disk', () => {
  it('`fedrec server` exits 1 with a one-line error, no stack trace, and leaves no token-secret behind', async (ctx) => {
    const disk = await smallDisk();
    if ('refused' in disk) return ctx.skip(`needs a tmpfs mount to fill (root on Linux), and mount was refused: ${disk.refused}`);
    await fill(disk.dir);

    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI, 'server', '--model-dir', disk.dir, '--items', '10', '--dim', '2', '--port', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NODE_ENV: 'test' },
    });
    resources.add(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];

    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fedrec: cannot start the server: ENOSPC /);
    expect(stderr).not.toMatch(/\n\s+at /);
    // Nothing half-written: no empty token-secret (which a restart would have to tell apart from a key), no temp files.
    expect(await readdir(disk.dir)).toEqual(['filler']);
  });
});
