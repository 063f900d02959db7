import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ServerError } from '../server-error.js';
import { writeFileAtomic } from './atomic-write.js';
import type { CheckpointData } from './checkpoint-file.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-file.js';

const NAME_PATTERN = /^checkpoint-(\d{10})\.fckpt$/;
const TEMP_PATTERN = /^\.checkpoint-\d{10}\.fckpt\..*\.tmp$/;

export function checkpointFileName(modelVersion: number): string {
  return `checkpoint-${String(modelVersion).padStart(10, '0')}.fckpt`;
}

/** The model version a checkpoint file's name claims, or null for another name. */
export function checkpointVersion(name: string): number | null {
  const match = NAME_PATTERN.exec(name);
  return match === null ? null : Number(match[1]);
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

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // Temp files are what a crash mid-write leaves behind; they were never renamed into place.
    for (const name of await readdir(this.dir)) {
      if (TEMP_PATTERN.test(name)) await unlink(join(this.dir, name)).catch(() => undefined);
    }
  }

  /** Checkpoint file names, newest first. */
  async list(): Promise<string[]> {
    const names = (await readdir(this.dir)).filter((name) => NAME_PATTERN.test(name));
    return names.sort().reverse();
  }

  /**
   * Writes a checkpoint atomically, then deletes all but the newest `keep`.
   * Returns the file's path. The encoded bytes are decoded and verified
   * first: a checkpoint the loader would refuse (a non-finite model, a
   * malformed section) is never written, and the write rejects instead.
   */
  async write(data: CheckpointData): Promise<string> {
    const file = join(this.dir, checkpointFileName(data.model.version));
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
        const expected = checkpointFileName(data.model.version);
        if (expected !== name) throw new ServerError('CHECKPOINT_CORRUPT', `holds model version ${data.model.version}, not what its name says`);
        return { data, file, skipped };
      } catch (error) {
        if (!(error instanceof ServerError) && (error as NodeJS.ErrnoException).code === undefined) throw error;
        skipped.push({ file, problem: error instanceof Error ? error.message : String(error) });
      }
    }
    return null;
  }
}
