import * as z from '../zod.js';

/**
 * The privacy notice a server publishes at `GET /privacy-notice` (issue #16,
 * point 8): what it collects and what it promises, generated from its
 * configuration so that it cannot drift from what the server does. A shop
 * shows it to the shopper before consent and to a regulator on request.
 *
 * `version` is a content hash of every other field: two servers making the
 * same promises publish the same version, and any change to a promise (a
 * larger ε, secure aggregation turned off, a new contact) gives a new one.
 * A client records the version each consent was given under and asks again
 * when the server's version differs.
 */
export interface PrivacyNotice {
  readonly format: 'fedrec-privacy-notice';
  readonly formatVersion: 1;
  /** 16 hex digits: the content hash of the facts below. */
  readonly version: string;
  /** What leaves a shopper's device. */
  readonly collected: {
    /** Always false: events (views, carts, purchases) never leave the device. */
    readonly rawEvents: false;
    /** What does: `clipped-noised-updates` of the shared model's parameters (only with consent `contribute`), or `nothing` on a server that runs no training rounds. */
    readonly sent: 'clipped-noised-updates' | 'nothing';
  };
  /** The differential-privacy promise towards any one shopper (client id) over the whole training job; null when the server runs rounds without DP. */
  readonly differentialPrivacy: {
    readonly epsilon: number;
    readonly delta: number;
    /** How ε is accounted: `rdp` (Rényi DP) or `pld` (privacy loss distributions). */
    readonly accountant: 'rdp' | 'pld';
    /** C: the L2 bound on one shopper's update in one round. */
    readonly clipNorm: number;
    /** z: the aggregate noise's standard deviation as a multiple of C. */
    readonly noiseMultiplier: number;
    /** `local`: each device noises its own update fully; `distributed`: each adds a share, honest only behind secure aggregation. */
    readonly noisePlacement: 'local' | 'distributed';
  } | null;
  /** How each round's cohort is drawn: Poisson with probability `rate`, or a fixed `size`. */
  readonly cohortSampling: { readonly kind: 'poisson'; readonly rate: number } | { readonly kind: 'fixed'; readonly size: number };
  /** Whether the server learns only the sum of a round's updates (SecAgg+), never one device's. */
  readonly secureAggregation: boolean;
  readonly retention: {
    /** Individual updates: `round-memory` (summed in memory, discarded when the round closes, never written). */
    readonly updates: 'round-memory';
    /** Model checkpoints (the aggregate only) kept on the server's disk; 0 when it keeps none. */
    readonly checkpoints: number;
  };
  /** Who runs the server and how to reach them, where configured. */
  readonly operator: { readonly name?: string; readonly contact?: string } | null;
}

const positive = z.number().check(z.gt(0));

export const privacyNoticeSchema = z.object({
  format: z.literal('fedrec-privacy-notice'),
  formatVersion: z.literal(1),
  version: z.string().check(z.regex(/^[0-9a-f]{16}$/, 'expected 16 hex digits')),
  collected: z.object({
    rawEvents: z.literal(false),
    sent: z.enum(['clipped-noised-updates', 'nothing']),
  }),
  differentialPrivacy: z.nullable(
    z.object({
      epsilon: positive,
      delta: positive.check(z.lt(1)),
      accountant: z.enum(['rdp', 'pld']),
      clipNorm: positive,
      noiseMultiplier: positive,
      noisePlacement: z.enum(['local', 'distributed']),
    }),
  ),
  cohortSampling: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('poisson'), rate: positive.check(z.lte(1)) }),
    z.object({ kind: z.literal('fixed'), size: z.number().check(z.int(), z.gte(1)) }),
  ]),
  secureAggregation: z.boolean(),
  retention: z.object({
    updates: z.literal('round-memory'),
    checkpoints: z.number().check(z.int(), z.gte(0)),
  }),
  operator: z.nullable(z.object({ name: z.optional(z.string().check(z.minLength(1))), contact: z.optional(z.string().check(z.minLength(1))) })),
}) satisfies z.ZodMiniType<PrivacyNotice, unknown>;

/** The facts a notice's version is the hash of: everything but `version`. */
export type PrivacyNoticeFacts = Omit<PrivacyNotice, 'version'>;
