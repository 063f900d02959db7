import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ShoppingEvent } from '@fedrec/core';
import * as z from '../zod.js';
import { ShopperClientError } from '../shopper/shopper-client-error.js';
import { applyRetention, resolveRetention, withinAge } from '../storage/retention-policy.js';
import type { ShopperRecordKey, ShopperRecords, ShopperStore, ShopperStoreOptions } from '../storage/shopper-store.js';
import { SHOPPER_RECORD_KEYS } from '../storage/shopper-store.js';
import { parseStoredEvent, toStoredEvent } from '../storage/stored-records.js';
import { guardRefusal, type WriteGuard } from '../storage/write-guard.js';

const FILE_FORMAT = 'fedrec.shopper-store';
const FILE_VERSION = 1;

interface FileContents {
  events: ShoppingEvent[];
  records: Partial<Record<ShopperRecordKey, unknown>>;
  /** Times the file was cleared (see `ShopperStore.readGeneration`); absent in files written before it existed, read as 0. */
  generation: number;
}

function emptyContents(generation: number): FileContents {
  return { events: [], records: {}, generation };
}

/*
 * The file's envelope. Its format and version must match; the rest is read
 * leniently, as it always was: the events are checked one by one (a bad one
 * is dropped), records by their readers, and a malformed list, record map or
 * generation reads as empty or 0.
 */
const fileSchema = z.object({
  format: z.literal(FILE_FORMAT),
  version: z.literal(FILE_VERSION),
  events: z.catch(z.array(z.unknown()), []),
  records: z.catch(z.record(z.string(), z.unknown()), {}),
  // Absent in files written before it existed.
  generation: z.catch(z.number().check(z.int(), z.gte(0)), 0),
});

function decode(text: string, file: string): FileContents {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ShopperClientError('STORAGE_CORRUPT', `${file} is not valid JSON; forget() clears it`);
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    throw new ShopperClientError('STORAGE_CORRUPT', `${file} is not a version ${FILE_VERSION} ${FILE_FORMAT} file; forget() clears it`, {
      path: parsed.error.issues[0]?.path.map(String).join('.') ?? '',
    });
  }
  const stored = parsed.data;
  const records: FileContents['records'] = {};
  for (const key of SHOPPER_RECORD_KEYS) if (stored.records[key] !== undefined) records[key] = stored.records[key];
  // Malformed events are dropped here; the next write leaves them out of the file.
  return { events: stored.events.map(parseStoredEvent).filter((e): e is ShoppingEvent => e !== null), records, generation: stored.generation };
}

/**
 * A store in one JSON file (Node): for command-line shoppers, simulations
 * and servers-side tests of the client. The whole file is rewritten on every
 * change — write to a temporary file, fsync, rename — so a crash leaves
 * either the old or the new contents, never half of each. Created with mode
 * 0600 in a directory created with 0700: it holds a person's shopping history.
 *
 * Changes are queued, so concurrent calls never lose each other's writes,
 * and a guard is checked in the same queued step as its write. Only one
 * store (one process) should use a file at a time: it offers no participant
 * lock or change channel.
 *
 * @example
 * import { createFileStore } from '@fedrec/client/node';
 * const client = await createClient({ storage: createFileStore('./shopper/history.json'), consent: 'local' });
 */
export function createFileStore(file: string, options: ShopperStoreOptions = {}): ShopperStore {
  const retention = resolveRetention(options.retention);
  const now = options.now ?? Date.now;
  let contents: FileContents | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  /** The highest generation seen, so clearing a corrupt file still moves it on. */
  let lastGeneration = 0;

  async function load(): Promise<FileContents> {
    if (contents !== null) return contents;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return (contents = emptyContents(lastGeneration));
      throw new ShopperClientError('STORAGE_FAILED', `could not read ${file}: ${(error as Error).message}`, { cause: error });
    }
    contents = decode(text, file);
    lastGeneration = Math.max(lastGeneration, contents.generation);
    return contents;
  }

  /** Loads the file and checks `guard` against it, in the queued step that then writes. */
  async function loadGuarded(guard: WriteGuard | undefined): Promise<FileContents> {
    const current = await load();
    const refusal = guardRefusal(guard, { generation: current.generation, consent: current.records.consent });
    if (refusal !== null) throw refusal;
    return current;
  }

  async function save(next: FileContents): Promise<void> {
    const text = JSON.stringify({ format: FILE_FORMAT, version: FILE_VERSION, events: next.events, records: next.records, generation: next.generation });
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const handle = await open(temporary, 'w', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw new ShopperClientError('STORAGE_FAILED', `could not write ${file}: ${(error as Error).message}`, { cause: error });
    }
    contents = next;
    lastGeneration = Math.max(lastGeneration, next.generation);
  }

  /** Runs `task` after every earlier one, whether they succeeded or not. */
  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new ShopperClientError('STORE_CLOSED', `the file store for ${file} was used after close()`));
    const result = queue.then(task, task);
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    retention,
    appendEvent: (event, guard) =>
      enqueue(async () => {
        const current = await loadGuarded(guard);
        await save({ ...current, events: applyRetention([...current.events, toStoredEvent(event)], retention, now()) });
      }),
    readEvents: () =>
      enqueue(async () => {
        const at = now();
        return (await load()).events.filter((e) => withinAge(e, retention, at)).map((e) => ({ ...e }));
      }),
    readRecord: (key) => enqueue(async () => structuredClone((await load()).records[key])),
    writeRecord: <K extends ShopperRecordKey>(key: K, value: ShopperRecords[K], guard?: WriteGuard) =>
      enqueue(async () => {
        const current = await loadGuarded(guard);
        await save({ ...current, records: { ...current.records, [key]: structuredClone(value) } });
      }),
    updateRecord: <K extends ShopperRecordKey>(key: K, change: (current: unknown) => ShopperRecords[K] | undefined, guard?: WriteGuard) =>
      enqueue(async () => {
        const current = await loadGuarded(guard);
        const next = change(structuredClone(current.records[key]));
        if (next !== undefined) await save({ ...current, records: { ...current.records, [key]: structuredClone(next) } });
      }),
    deleteRecord: (key) =>
      enqueue(async () => {
        const current = await load();
        const records = { ...current.records };
        delete records[key];
        await save({ ...current, records });
      }),
    readGeneration: () => enqueue(async () => (await load()).generation),
    // Clearing must work even when the file is corrupt: the generation then moves on from the highest one seen.
    clear: () =>
      enqueue(async () => {
        const generation = (await load().then((c) => c.generation).catch(() => lastGeneration)) + 1;
        await save(emptyContents(generation));
        return generation;
      }),
    close: async () => {
      await queue;
      closed = true;
      contents = null;
    },
  };
}
