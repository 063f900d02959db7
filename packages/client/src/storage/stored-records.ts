import type { EventTypeName, PrivacyLedgerJson, ShoppingEvent } from '@fedrec/core';
import { EVENT_TYPE_NAMES, PrivacyLedger, SavedStateError } from '@fedrec/core';
import * as z from '../zod.js';
import { CONSENT_LEVELS, isConsentLevel, type ConsentLevel } from '../consent/consent-level.js';
import type { UpdateLogEntry } from '../privacy/update-log-entry.js';

/*
 * Validation of what comes back from a store. Anything a file or a database
 * hands back may have been edited or truncated, so each record is checked
 * against a schema before it is used. Events and the user vector are
 * disposable (a bad one is skipped); the privacy record is not (see
 * `parseStoredPrivacy`). Fields a schema does not name are dropped, so a
 * store never hands on anything a caller attached to a record.
 */

// z.number() is finite; .int() is a safe integer.
const indexSchema = z.number().check(z.int(), z.gte(0));

const storedEventSchema = z.object({
  item: indexSchema,
  type: z.custom<EventTypeName>((type) => typeof type === 'string' && (EVENT_TYPE_NAMES as readonly string[]).includes(type), {
    error: `expected one of ${EVENT_TYPE_NAMES.join(', ')}`,
  }),
  time: z.number(),
});

const storedConsentSchema = z.object({
  level: z.enum(CONSENT_LEVELS),
  noticeVersion: z.nullable(z.string().check(z.regex(/^[0-9a-f]{16}$/, 'expected 16 hex digits'))),
  time: z.number(),
}) satisfies z.ZodMiniType<StoredConsent, unknown>;

const storedUserVectorSchema = z.object({
  values: z.array(z.number()).check(z.minLength(1)),
  modelVersion: indexSchema,
  historyKey: z.string(),
});

const updateLogEntrySchema = z.object({
  roundId: indexSchema,
  time: z.number(),
  bytes: indexSchema,
  clipNorm: z.number(),
  clientNoiseMultiplier: z.number(),
  accountedNoiseMultiplier: z.number(),
  placement: z.enum(['local', 'distributed']),
  // ε may be Infinity (a round without noise): JSON stores it as null, IndexedDB and memory keep the number.
  epsilon: z.pipe(
    z.union([z.number(), z.literal(Infinity), z.literal(-Infinity), z.null()], { error: 'expected a number or null (Infinity)' }),
    z.transform((epsilon) => epsilon ?? Infinity),
  ),
  delta: z.number(),
  sent: z.boolean(),
}) satisfies z.ZodMiniType<UpdateLogEntry, unknown>;

const storedPrivacySchema = z.object({
  // The ledger's format belongs to core: `fromJSON` checks it, and its first bad field is reported under `ledger`.
  ledger: z.pipe(
    z.optional(z.unknown()),
    z.transform((ledger, ctx) => {
      try {
        return PrivacyLedger.fromJSON(ledger).toJSON();
      } catch (error) {
        if (!(error instanceof SavedStateError)) throw error;
        // zod/mini's transform has no `addIssue`: the issue goes on the payload, as classic's `addIssue` puts it.
        ctx.issues.push({ code: 'custom', input: ledger, path: error.path === '' ? [] : error.path.split('.'), message: error.problem });
        return z.NEVER;
      }
    }),
  ),
  delta: z.nullable(z.number().check(z.gt(0), z.lt(1))),
  updates: z.array(updateLogEntrySchema),
}) satisfies z.ZodMiniType<StoredPrivacy, unknown>;


/**
 * The shopper's consent as stored since issue #16 point 8: the level, and
 * the privacy notice version it was given under, so the client asks again
 * when the server publishes another notice. Records written before hold the
 * bare level (a `ConsentLevel` string): they read as given under no notice.
 */
export interface StoredConsent {
  readonly level: ConsentLevel;
  /** `PrivacyNotice.version` the shopper consented under; null when the client held none at the time. */
  readonly noticeVersion: string | null;
  /** When the choice was made, in milliseconds since the epoch. */
  readonly time: number;
}

/** The shopper's own vector, kept for the next session; never sent. */
export interface StoredUserVector {
  readonly values: readonly number[];
  /** The model version and history it was fitted on, so it is refitted when either changes. */
  readonly modelVersion: number;
  readonly historyKey: string;
}

/** The device's personal privacy accounting and the log of what it sent. */
export interface StoredPrivacy {
  readonly ledger: PrivacyLedgerJson;
  /** δ at which ε is reported: the smallest δ of any round taken part in; null before the first. */
  readonly delta: number | null;
  readonly updates: readonly UpdateLogEntry[];
}

/** A stored event, or null if it is not one. */
export function parseStoredEvent(value: unknown): ShoppingEvent | null {
  const parsed = storedEventSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Copies only the three fields, so a store never persists anything a caller attached to an event object. */
export function toStoredEvent(event: ShoppingEvent): ShoppingEvent {
  return { item: event.item, type: event.type, time: event.time };
}

/** The stored consent level, from a record of either form (see `StoredConsent`), or null when there is none or it is not one. */
export function parseStoredConsent(value: unknown): ConsentLevel | null {
  return parseStoredConsentRecord(value)?.level ?? null;
}

/** The stored consent with the notice version it was given under; a bare level (written before notices) reads as given under none. */
export function parseStoredConsentRecord(value: unknown): StoredConsent | null {
  if (isConsentLevel(value)) return { level: value, noticeVersion: null, time: 0 };
  const parsed = storedConsentSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function parseStoredUserVector(value: unknown): StoredUserVector | null {
  const parsed = storedUserVectorSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export type PrivacyParse =
  | { readonly ok: true; readonly value: StoredPrivacy | null }
  /** `path`: the dotted path of the first bad field in the record (`updates.3.epsilon`), empty for the record itself; `problem` never quotes the stored value. */
  | { readonly ok: false; readonly path: string; readonly problem: string };

/**
 * The stored privacy record: `{ok: true, value: null}` when there is none
 * yet, `{ok: false}` when there is one that cannot be read. The caller must
 * not treat the second as the first: that would reset the shopper's budget.
 */
export function parseStoredPrivacy(value: unknown): PrivacyParse {
  if (value === undefined || value === null) return { ok: true, value: null };
  const parsed = storedPrivacySchema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  return { ok: false, path: first === undefined ? '' : first.path.map(String).join('.'), problem: first?.message ?? 'invalid' };
}
