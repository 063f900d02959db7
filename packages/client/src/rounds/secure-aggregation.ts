import type { RandomSource, RoundPrivacy, RoundSecureAggregation } from '@fedrec/core';
import { buildPrivateUpdate, discreteGaussianVector } from '@fedrec/core';
import type { SecAggClient, SecAggClientMessage } from '@fedrec/secagg';
import { loadSecAgg, type SecAggModule } from './load-secagg.js';
import type { UpdatePrivacyInfo } from './privatise-update.js';
import type { TrainingResult } from './training-callback.js';

export type SecureInput =
  | { readonly ok: true; readonly input: Uint32Array; readonly privacy: UpdatePrivacyInfo | null }
  | { readonly ok: false; readonly message: string };

export interface SecureInputOptions {
  readonly secure: RoundSecureAggregation;
  /** The round's DP parameters (null: none). */
  readonly round: RoundPrivacy | null;
  /** Rounding, Gaussian (`local`) and discrete Gaussian (`distributed`) noise. */
  readonly noiseSource: RandomSource;
}

/**
 * The SecAgg input of a training result: clipped to C (L2), noised as the
 * round says (`local`: N(0, (zC)²) per coordinate in floats; `distributed`:
 * an exact discrete Gaussian N_ℤ(0, σ²) share in integer units, after
 * quantising), quantised with unbiased rounding at γ, and reduced mod 2^32
 * after checking |v| ≤ B (the bound the server's no-wrap-around check was
 * made for). A ready-made `update` is only accepted in rounds without DP,
 * and is clipped too: the bound must hold whatever the callback returns.
 *
 * @example
 * const out = await secureInput({ delta }, { secure: start.secureAggregation, round: start.privacy ?? null, noiseSource });
 * if (out.ok) send(client.maskedInput(routed, out.input));
 *
 * Asynchronous because it loads @fedrec/secagg on first use (`loadSecAgg`).
 */
export async function secureInput(result: TrainingResult, options: SecureInputOptions): Promise<SecureInput> {
  const { secure, round, noiseSource } = options;
  if (result.delta === undefined && round !== null) {
    return { ok: false, message: 'this round sets DP parameters: return the raw `delta` so the transport clips and noises it as the round says' };
  }
  const candidate = result.delta ?? result.update;
  const clipNorm = round?.clipNorm ?? secure.clipNorm;
  // Distributed noise is added as integers below; local noise in floats here, before quantising.
  const floatNoiseMultiplier = round !== null && round.placement === 'local' ? round.clientNoiseMultiplier : 0;
  // Loaded before the first draw, so noiseSource's draws below run in one synchronous stretch, as before the split.
  const { quantise, addIntegerNoise, toModular } = await loadSecAgg();
  const built = buildPrivateUpdate(candidate, { clipNorm, noiseMultiplier: floatNoiseMultiplier, noiseSource });
  const ints = quantise(built.update.values, secure.granularity, noiseSource);
  if (secure.localNoiseVariance > 0) addIntegerNoise(ints, discreteGaussianVector(noiseSource, ints.length, secure.localNoiseVariance));
  const input = toModular(ints, secure.coordinateBound);
  const privacy: UpdatePrivacyInfo | null =
    round === null
      ? null
      : {
          source: 'round',
          placement: round.placement,
          clipNorm,
          noiseMultiplier: round.placement === 'local' ? floatNoiseMultiplier : (Math.sqrt(secure.localNoiseVariance) * secure.granularity) / clipNorm,
          sigma: round.placement === 'local' ? built.sigma : Math.sqrt(secure.localNoiseVariance) * secure.granularity,
          clipped: built.clipped,
          unclippedBitSent: false,
          accountedNoiseMultiplier: round.accountedNoiseMultiplier,
          samplingRate: round.samplingRate,
          delta: round.delta,
        };
  return { ok: true, input, privacy };
}

/**
 * One cohort member's side of a securely aggregated round: the SecAgg+ client
 * state machine for the round the invitation describes, fed with the
 * server's stage messages. Each step returns the reply to send; a step that
 * the protocol forbids throws SecAggError and sends nothing.
 */
export class SecureRoundParticipant {
  readonly roundId: number;
  readonly #client: SecAggClient;
  readonly #input: Uint32Array;
  readonly #stages: SecAggModule['SecAggStage'];

  /**
   * Loads @fedrec/secagg (once, on the first secure round) and builds the
   * member's state machine.
   *
   * @example
   * const participant = await SecureRoundParticipant.create(start.roundId, start.secureAggregation, out.input);
   * send(await participant.advertiseKeys());
   */
  static async create(roundId: number, secure: RoundSecureAggregation, input: Uint32Array, random?: RandomSource): Promise<SecureRoundParticipant> {
    return new SecureRoundParticipant(await loadSecAgg(), roundId, secure, input, random);
  }

  private constructor({ SecAggClient, SecAggStage, createRoundConfig }: SecAggModule, roundId: number, secure: RoundSecureAggregation, input: Uint32Array, random?: RandomSource) {
    this.roundId = roundId;
    this.#stages = SecAggStage;
    const config = createRoundConfig({
      roundId,
      clientCount: secure.clientCount,
      vectorLength: secure.vectorLength,
      graphSeed: secure.graphSeed,
      neighbourCount: secure.neighbourCount,
      threshold: secure.threshold,
    });
    this.#client = new SecAggClient(random === undefined ? { config, index: secure.clientIndex } : { config, index: secure.clientIndex, random });
    this.#input = input;
  }

  get done(): boolean {
    return this.#client.stage === 'done';
  }

  /** Stage 0. */
  advertiseKeys(): Promise<SecAggClientMessage> {
    return this.#client.advertiseKeys();
  }

  /**
   * Stages 1–3: the reply to the server's message (validated by the state
   * machine). Rejects with SecAggError when the protocol forbids the step,
   * RangeError for a malformed message.
   */
  async step(message: Record<string, unknown>): Promise<SecAggClientMessage> {
    switch (message['stage']) {
      case this.#stages.shareKeys:
        return this.#client.shareKeys(message);
      case this.#stages.maskedInput:
        return this.#client.maskedInput(message, this.#input);
      default:
        // Stage 3, or anything else: `unmask` validates the stage and refuses the rest.
        return this.#client.unmask(message);
    }
  }
}
