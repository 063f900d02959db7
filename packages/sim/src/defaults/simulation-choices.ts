import type { AccountantName } from '@fedrec/core/privacy';
import type { Schedule } from '../runner/default-schedule.js';
import type { NoisePlacement } from '../runner/federated-simulation.js';
import type { Algorithm, SimulationMode } from './simulate-defaults.js';

/**
 * What the user chose; every field left out takes its default. Ranges are
 * the caller's to check (the CLI does, flag by flag); so are the
 * alternatives: `samplingRate` or `cohort`, `noiseMultiplier` or
 * `targetEpsilon`, `clients` and no `adaptiveClipQuantile` only in e2e mode,
 * and e2e mode for the federated algorithm only.
 */
export interface SimulationChoices {
  /** Unset: the hybrid model with a catalogue, else federated MF (`defaultAlgorithm`). */
  readonly algorithm?: Algorithm;
  /** Whether the shop's catalogue is given (a dataset with `--catalogue`): it makes the hybrid model the default algorithm. */
  readonly catalogue?: boolean;
  readonly mode?: SimulationMode;
  /** e2e: shoppers that get a socket.io client (default: all, at most `DEFAULT_E2E_CLIENTS`). */
  readonly clients?: number;
  readonly rounds?: number;
  /** Poisson sampling rate q. */
  readonly samplingRate?: number;
  /** Expected cohort size: q = cohort / participants. */
  readonly cohort?: number;
  /** z; 0 runs without noise. */
  readonly noiseMultiplier?: number;
  /** ε of the whole run (calibrates z); Infinity runs without noise. */
  readonly targetEpsilon?: number;
  readonly delta?: number;
  readonly clipNorm?: number;
  readonly dim?: number;
  /** Unset: derived from the catalogue and the schedule, and capped under noise. */
  readonly serverLearningRate?: number;
  readonly denoiseThreshold?: number;
  readonly placement?: NoisePlacement;
  /** How ε is accounted (the default target, the calibration and the ledger): rdp (default) or pld. */
  readonly accountant?: AccountantName;
  readonly adaptiveClipQuantile?: number;
  readonly evalShoppers?: number;
  readonly evalEvery?: number;
  readonly centralEpochs?: number;
  readonly seed?: string;
  /**
   * The schedule the run would have without noise, before the noise-aware
   * adjustment (default: `defaultSchedule` of the population). The
   * privacy-utility benchmark fixes it for its large synthetic population.
   */
  readonly noiseFreeSchedule?: Schedule;
}
