import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ServerError } from '../server-error.js';
import { writeFileAtomic } from './atomic-write.js';
import type { CheckpointData } from './checkpoint-file.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-file.js';

/** `checkpoint-<version>.fckpt`, or `checkpoint-<version>-<token>.fckpt` when written by a cluster's coordinator (its fencing token). */
const NAME_PATTERN = /^checkpoint-(\d{10})(?:-(\d{10}))?\.fckpt$/;
const TEMP_PATTERN = /^\.checkpoint-\d{10}(?:-\d{10})?\.fckpt\..*\.tmp$/;

/** `token`: the fencing token of the cluster coordinator that writes it (absent for a single server). */
export function checkpointFileName(modelVersion: number, token?: number): string {
  const version = String(modelVersion).padStart(10, '0');
  return token === undefined ? `checkpoint-${version}.fckpt` : `checkpoint-${version}-${String(token).padStart(10, '0')}.fckpt`;
}

/** The model version a checkpoint file's name claims, or null for another name. */
export function checkpointVersion(name: string): number | null {
  const match = NAME_PATTERN.exec(name);
  return match === null ? null : Number(match[1]);
}

/** The fencing token a checkpoint file's name carries: 0 for a single server's name, null for another name. */
export function checkpointToken(name: string): number | null {
  const match = NAME_PATTERN.exec(name);
  return match === null ? null : Number(match[2] ?? 0);
}

export interface LoadedCheckpoint {
  readonly data: CheckpointData;
  readonly file: string;
  /** Newer checkpoints that failed verification and were skipped. */
  readonly skipped: readonly { readonly file: string; readonly problem: string }[];
}

/**
 * The checkpoints in a model directory, one file per applied model version.
 * Writes are atomic; reads take the newest file that verifies, falling back
 * past corrupt or truncated ones; only the newest `keep` files are kept.
 */
export class CheckpointStore {
  constructor(
    readonly dir: string,
    private readonly keep: number,
  ) {}

  /**
   * The token a write carries when the caller gives none: the highest in
   * the directory at `init()` (a single server resuming a cluster's
   * directory continues its newest lineage, so that its own checkpoints
   * come first), or none (plain names) where there is none.
   */
  #inheritedToken: number | undefined;

  /** `clearTemps: false` in a cluster: another node may be writing the temp file it would delete. */
  async init({ clearTemps = true }: { readonly clearTemps?: boolean } = {}): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const newest = (await this.list())[0];
    const token = newest === undefined ? 0 : (checkpointToken(newest) ?? 0);
    this.#inheritedToken = token > 0 ? token : undefined;
    if (!clearTemps) return;
    // Temp files are what a crash mid-write leaves behind; they were never renamed into place.
    for (const name of await readdir(this.dir)) {
      if (TEMP_PATTERN.test(name)) await unlink(join(this.dir, name)).catch(() => undefined);
    }
  }

  /**
   * Checkpoint file names, newest first: by fencing token, then version. A
   * cluster's newest coordinator resumed from everything published before it
   * took the lease, so its files come first even where a deposed
   * coordinator's refused (never published) file has a higher version.
   */
  async list(): Promise<string[]> {
    const names = (await readdir(this.dir)).filter((name) => NAME_PATTERN.test(name));
    const key = (name: string): [number, number] => [checkpointToken(name)!, checkpointVersion(name)!];
    return names.sort((a, b) => {
      const [ta, va] = key(a);
      const [tb, vb] = key(b);
      return tb - ta || vb - va;
    });
  }

  /**
   * Writes a checkpoint atomically, then deletes all but the newest `keep`.
   * Returns the file's path. The encoded bytes are decoded and verified
   * first: a checkpoint the loader would refuse (a non-finite model, a
   * malformed section) is never written, and the write rejects instead.
   */
  async write(data: CheckpointData, token: number | undefined = this.#inheritedToken): Promise<string> {
    const file = join(this.dir, checkpointFileName(data.model.version, token));
    const bytes = encodeCheckpoint(data);
    decodeCheckpoint(bytes);
    await writeFileAtomic(file, bytes);
    const names = await this.list();
    for (const old of names.slice(this.keep)) await unlink(join(this.dir, old)).catch(() => undefined);
    return file;
  }

  /** The newest checkpoint that verifies, or null if there is none. */
  async loadLatest(): Promise<LoadedCheckpoint | null> {
    const skipped: { file: string; problem: string }[] = [];
    for (const name of await this.list()) {
      const file = join(this.dir, name);
      try {
        const data = decodeCheckpoint(await readFile(file));
        if (checkpointVersion(name) !== data.model.version) throw new ServerError('CHECKPOINT_CORRUPT', `holds model version ${data.model.version}, not what its name says`);
        return { data, file, skipped };
      } catch (error) {
        if (!(error instanceof ServerError) && (error as NodeJS.ErrnoException).code === undefined) throw error;
        skipped.push({ file, problem: error instanceof Error ? error.message : String(error) });
      }
    }
    return null;
  }
}
