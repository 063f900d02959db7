import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../checkpoint/atomic-write.js';

export const TOKEN_SECRET_FILE = 'token-secret';

/**
 * The HMAC key to sign tokens with when none is configured: read from
 * `modelDir/token-secret`, or created there (mode 0600) on first start so that
 * tokens stay valid across restarts. Without a model dir the key lives only
 * in memory and every restart invalidates every token.
 */
export async function loadOrCreateTokenSecret(modelDir: string | undefined): Promise<string> {
  if (modelDir === undefined) return randomBytes(32).toString('hex');
  const file = join(modelDir, TOKEN_SECRET_FILE);
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (text.length >= 32) return text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('hex');
  // Temp file, fsync, rename (mode 0600): a full disk or a crash leaves no
  // file or the whole key, never an empty or partial one that a restart
  // would have to tell apart from a real key. A too-short file is replaced.
  await writeFileAtomic(file, new TextEncoder().encode(`${secret}\n`));
  return secret;
}
