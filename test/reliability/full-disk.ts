import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resources } from '../server/helpers.js';

/**
 * A real, small filesystem to fill up: a tmpfs of `sizeKiB` mounted on a
 * fresh directory (needs root, as CI has; null where mounting is refused, so
 * the caller can skip with that reason). Unmounted by `resources.cleanup()`.
 */
export async function mountSmallDisk(resources: Resources, sizeKiB: number): Promise<string | null> {
  const dir = await mkdtemp(join(tmpdir(), 'fedrec-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    await rm(dir, { recursive: true, force: true });
    return null;
  }
  resources.add(async () => {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Whether this process may mount a tmpfs (checked once, for `it.skipIf`). */
export function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fills the filesystem holding `dir` with a file of zeros until writes fail with ENOSPC. Returns the filler's path; delete it to free the space. */
export async function fillDisk(dir: string): Promise<string> {
  const file = join(dir, 'filler');
  const handle = await open(file, 'w');
  try {
    const { bavail, bsize } = await statfs(dir);
    const chunk = new Uint8Array(Math.max(4096, Number(bsize)));
    for (let blocks = Number(bavail) + 16; blocks > 0; blocks--) {
      try {
        await handle.write(chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return file;
        throw error;
      }
    }
    // tmpfs may report fewer blocks than it holds: keep going until it is really full.
    for (;;) {
      try {
        await handle.write(chunk.subarray(0, 512));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return file;
        throw error;
      }
    }
  } finally {
    await handle.close();
  }
}
