import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { writeFileAtomic } from '../checkpoint/atomic-write.js';

export const BANS_FILE = 'bans.json';

/** Entries kept before expired (then oldest) ones are dropped, so many struck ids cannot grow memory without bound. */
const MAX_ENTRIES = 10_000;
/** Bans are written at most this often (a burst of bans is one write). */
const PERSIST_DELAY_MS = 1_000;

const bansFileSchema = z.strictObject({
  format: z.literal('fedrec.bans'),
  version: z.literal(1),
  /** Client id → end of its ban, ms since the epoch. */
  bans: z.record(z.string().min(1).max(200), z.number().int().min(0)),
});

export interface StrikeBookOptions {
  /** Strikes within `windowMs` that get a client banned. */
  readonly maxStrikes: number;
  /** How long a ban lasts; 0: disconnect only, no ban. */
  readonly banMs: number;
  /** A client's strikes are forgotten this long after its first one. */
  readonly windowMs: number;
  /** Where bans survive restarts (the model directory); none: memory only. */
  readonly dir?: string | undefined;
  readonly logger: Logger;
}

/**
 * Refused messages counted per **client id**, not per socket: a client that
 * reconnects keeps its strikes, so reconnecting cannot reset the count. A
 * client that reaches `maxStrikes` within `windowMs` is banned for `banMs`
 * (its token is refused at connection). Bans are kept in `dir/bans.json`
 * and survive a restart; strikes below the limit are memory only.
 */
export class StrikeBook {
  readonly #options: StrikeBookOptions;
  readonly #strikes = new Map<string, { count: number; windowEndsAt: number }>();
  readonly #bans = new Map<string, number>();
  #persistTimer: ReturnType<typeof setTimeout> | null = null;
  #persisting: Promise<void> = Promise.resolve();

  constructor(options: StrikeBookOptions) {
    this.#options = options;
  }

  /** Reads the bans a previous run left. A missing file is no bans; an unreadable one is logged and ignored (bans are protection, not a promise to a shopper). */
  async load(now = Date.now()): Promise<void> {
    const { dir, logger } = this.#options;
    if (dir === undefined) return;
    const file = join(dir, BANS_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ file, err: error }, 'cannot read the bans file: starting without bans');
      return;
    }
    let parsed: z.infer<typeof bansFileSchema>;
    try {
      parsed = bansFileSchema.parse(JSON.parse(text));
    } catch {
      logger.warn({ file }, 'the bans file is not valid: starting without bans');
      return;
    }
    for (const [clientId, until] of Object.entries(parsed.bans)) if (until > now) this.#bans.set(clientId, until);
  }

  /** The end of the client's ban (ms since the epoch), or null when it is not banned. */
  bannedUntil(clientId: string, now = Date.now()): number | null {
    const until = this.#bans.get(clientId);
    if (until === undefined) return null;
    if (until > now) return until;
    this.#bans.delete(clientId);
    return null;
  }

  /** Counts one strike; returns the client's strikes in the current window and whether they reached the limit (the client is then banned if `banMs` > 0, and its count restarts). */
  strike(clientId: string, now = Date.now()): { readonly strikes: number; readonly struckOut: boolean } {
    const { maxStrikes, banMs, windowMs } = this.#options;
    let entry = this.#strikes.get(clientId);
    if (entry === undefined || entry.windowEndsAt <= now) {
      this.#makeRoom(now);
      entry = { count: 0, windowEndsAt: now + windowMs };
      this.#strikes.set(clientId, entry);
    }
    entry.count++;
    const strikes = entry.count;
    if (strikes < maxStrikes) return { strikes, struckOut: false };
    this.#strikes.delete(clientId);
    if (banMs > 0) this.#ban(clientId, now + banMs, now);
    return { strikes, struckOut: true };
  }

  /** Writes any pending bans now (on close). */
  async flush(): Promise<void> {
    if (this.#persistTimer !== null) {
      clearTimeout(this.#persistTimer);
      this.#persistTimer = null;
      this.#persisting = this.#persist();
    }
    await this.#persisting;
  }

  #ban(clientId: string, until: number, now: number): void {
    if (this.#bans.size >= MAX_ENTRIES) {
      for (const [id, end] of this.#bans) if (end <= now) this.#bans.delete(id);
      // Still full of live bans: the oldest goes first.
      if (this.#bans.size >= MAX_ENTRIES) this.#bans.delete(this.#bans.keys().next().value!);
    }
    this.#bans.set(clientId, until);
    if (this.#options.dir === undefined || this.#persistTimer !== null) return;
    this.#persistTimer = setTimeout(() => {
      this.#persistTimer = null;
      this.#persisting = this.#persisting.then(() => this.#persist());
    }, PERSIST_DELAY_MS);
    this.#persistTimer.unref();
  }

  async #persist(): Promise<void> {
    const { dir, logger } = this.#options;
    if (dir === undefined) return;
    const now = Date.now();
    const bans: Record<string, number> = {};
    for (const [id, until] of this.#bans) if (until > now) bans[id] = until;
    const body: z.infer<typeof bansFileSchema> = { format: 'fedrec.bans', version: 1, bans };
    try {
      await writeFileAtomic(join(dir, BANS_FILE), new TextEncoder().encode(JSON.stringify(body)));
    } catch (error) {
      logger.warn({ err: error }, 'cannot write the bans file: bans hold until the next restart only');
    }
  }

  #makeRoom(now: number): void {
    if (this.#strikes.size < MAX_ENTRIES) return;
    for (const [id, entry] of this.#strikes) if (entry.windowEndsAt <= now) this.#strikes.delete(id);
    if (this.#strikes.size >= MAX_ENTRIES) this.#strikes.delete(this.#strikes.keys().next().value!);
  }
}
