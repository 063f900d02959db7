import type { ModelUpdate, RandomSource, RoundPrivacy, UpdatePrivacy } from '@fedrec/core';
import { AdaptiveClipping, buildPrivateUpdate } from '@fedrec/core';
import type { TrainingResult } from './training-callback.js';

/** How the update that left the device was made private: for the shopper's own ledger and transparency log. */
export interface UpdatePrivacyInfo {
  /** `round`: the server's DP parameters for the round (what its accountant charges); `client`: this client's own `privacy` option (the server accounts nothing). */
  readonly source: 'round' | 'client';
  /** `local`: this device added the whole noise; `distributed`: its share of the aggregate's noise. */
  readonly placement: 'local' | 'distributed';
  /** C the delta was clipped to (L2, whole update). */
  readonly clipNorm: number;
  /** z this device added, as a multiple of C. */
  readonly noiseMultiplier: number;
  /** Standard deviation of the noise on each coordinate, z·C. */
  readonly sigma: number;
  /** Whether clipping shortened the delta. */
  readonly clipped: boolean;
  /** Whether the unclipped bit (adaptive clipping) went to the server with the update. */
  readonly unclippedBitSent: boolean;
  /** The round's accounted noise multiplier z and sampling rate q, and its δ (null for `client`). */
  readonly accountedNoiseMultiplier: number | null;
  readonly samplingRate: number | null;
  readonly delta: number | null;
}

export type PrivatisedUpdate =
  | {
      readonly ok: true;
      readonly update: ModelUpdate;
      /** Null when the callback returned a ready-made `update`. */
      readonly privacy: UpdatePrivacyInfo | null;
      /** The adaptive-clipping bit, when the round asked for it. */
      readonly unclipped?: boolean;
    }
  | { readonly ok: false; readonly message: string };

export interface PrivatiseOptions {
  /** The round's DP parameters (null: the server sets none). */
  readonly round: RoundPrivacy | null;
  readonly wantsUnclippedBit: boolean;
  /** The client's own clip and noise, for rounds without DP parameters. */
  readonly fallback: UpdatePrivacy | undefined;
  /** The noise stream (cryptographic unless a simulation seeds it). */
  readonly noiseSource: RandomSource;
}

/**
 * Turns a training callback's result into the update that leaves the device:
 * a raw `delta` is clipped to C and noised with N(0, (zC)²) exactly as the
 * round's parameters say (or the client's own, if the round has none). Never
 * lets a raw delta out unclipped, and never sends a ready-made update into a
 * round whose accounting assumes the transport's clipping and noise.
 *
 * @example
 * const out = privatiseUpdate({ delta }, { round: start.privacy ?? null, wantsUnclippedBit: false, fallback: undefined, noiseSource });
 * if (out.ok) send(out.update);
 */
export function privatiseUpdate(result: TrainingResult, options: PrivatiseOptions): PrivatisedUpdate {
  const { round, fallback, noiseSource } = options;
  if (result.delta === undefined) {
    if (round !== null) {
      return { ok: false, message: 'this round sets DP parameters: return the raw `delta` so the transport clips and noises it as the round says' };
    }
    return { ok: true, update: result.update, privacy: null };
  }
  const settings = round !== null ? { clipNorm: round.clipNorm, noiseMultiplier: round.clientNoiseMultiplier } : fallback;
  if (settings === undefined) {
    return { ok: false, message: 'refusing to send a raw delta: the round sets no DP parameters and the client has no `privacy` option' };
  }
  const built = buildPrivateUpdate(result.delta, { clipNorm: settings.clipNorm, noiseMultiplier: settings.noiseMultiplier, noiseSource });
  const sendBit = round !== null && options.wantsUnclippedBit;
  const privacy: UpdatePrivacyInfo = {
    source: round !== null ? 'round' : 'client',
    placement: round?.placement ?? 'local',
    clipNorm: settings.clipNorm,
    noiseMultiplier: settings.noiseMultiplier,
    sigma: built.sigma,
    clipped: built.clipped,
    unclippedBitSent: sendBit,
    accountedNoiseMultiplier: round?.accountedNoiseMultiplier ?? null,
    samplingRate: round?.samplingRate ?? null,
    delta: round?.delta ?? null,
  };
  return {
    ok: true,
    update: built.update,
    privacy,
    ...(sendBit ? { unclipped: AdaptiveClipping.unclippedBit(built.normBefore, settings.clipNorm) === 1 } : {}),
  };
}
