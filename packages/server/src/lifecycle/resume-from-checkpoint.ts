import { basename } from 'node:path';
import { createSharedModel, sameShape } from '@fedrec/core/model';
import type { Logger } from 'pino';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import { checkpointVersion } from '../checkpoint/checkpoint-store.js';
import type { ResolvedServerConfig } from '../config/server-config.js';
import { ModelState } from '../model/model-state.js';
import { createOptimiser } from '../optimisers/create-optimiser.js';
import { DenoisedFedAvg } from '../optimisers/denoised-fed-avg.js';
import type { ServerOptimiser } from '../optimisers/server-optimiser.js';
import type { PrivacyLedgerHook } from '../privacy-ledger-hook.js';
import { isServerPrivacyState, type ServerPrivacy } from '../privacy/server-privacy.js';
import { ServerError } from '../server-error.js';

export interface ResumeDeps {
  readonly config: ResolvedServerConfig;
  readonly logger: Logger;
  /** The server's own ledger (privacy configured), or null. */
  readonly privacy: ServerPrivacy | null;
  /** The operator's external ledger, if any. */
  readonly privacyLedger?: PrivacyLedgerHook | undefined;
}

export interface ResumedState {
  readonly model: ModelState;
  readonly optimiser: ServerOptimiser;
  readonly nextRoundId: number;
  /** A new model, not yet checkpointed. */
  readonly fresh: boolean;
}

/**
 * Resumes from the newest checkpoint that verifies: model, optimiser and
 * privacy ledger together, or a fresh model when there is none.
 *
 * Versions published by an earlier run are never reused: a newer checkpoint
 * that no longer verifies still reserves its version, and the rounds only it
 * recorded are charged to the ledger again.
 */
export async function resumeFromCheckpoint(store: CheckpointStore | null, deps: ResumeDeps): Promise<ResumedState> {
  const { config, logger } = deps;
  const loaded = store === null ? null : await store.loadLatest();
  for (const { file, problem } of loaded?.skipped ?? []) logger.warn({ file, problem }, 'skipping a checkpoint that failed verification');
  if (loaded !== null) {
    const { data, file } = loaded;
    if (config.model !== undefined && !sameShape(config.model, data.model.shape)) {
      throw new ServerError(
        'CHECKPOINT_SHAPE_MISMATCH',
        `checkpoint ${basename(file)} holds a ${data.model.shape.numItems}×${data.model.shape.dim} model, but the config asks for ${config.model.numItems}×${config.model.dim}`,
      );
    }
    const model = ModelState.from(data.model);
    // A newer checkpoint that no longer verifies was published by an earlier run: its version must not be reused for other bytes.
    for (const { file: skippedFile } of loaded.skipped) model.reserveVersionsThrough(checkpointVersion(basename(skippedFile)) ?? 0);
    // Each version is one applied, published round: those only the skipped files recorded were released, and must still be charged.
    const unrecordedRounds = model.reservedThrough - data.model.version;
    if (unrecordedRounds > 0) {
      logger.warn(
        { file: basename(file), modelVersion: model.version, unrecordedRounds },
        'resumed from an older checkpoint: the rounds only newer, unreadable checkpoints recorded are charged to the privacy ledger again, and their versions are not reused',
      );
    }
    const optimiser = createOptimiser(config.optimiser, model.floats, model.snapshot());
    if (data.optimiser.kind === optimiser.kind) optimiser.restore(data.optimiser);
    else logger.warn({ from: data.optimiser.kind, to: optimiser.kind }, 'optimiser changed since the checkpoint: starting its state afresh');
    const denoising = config.optimiser.kind === 'fedavg' && config.optimiser.denoise !== undefined;
    if (data.optimiser.kind === 'fedavg' && denoising !== DenoisedFedAvg.hasDenoisingState(data.optimiser)) {
      logger.warn(
        { denoise: denoising },
        denoising
          ? "denoising turned on since the checkpoint: it starts from the checkpoint's model"
          : 'denoising turned off since the checkpoint: plain FedAvg goes on from the released model, the raw sum is dropped',
      );
    }
    restorePrivacy(deps, data.privacyLedger, basename(file), model.version, unrecordedRounds);
    logger.info({ file: basename(file), modelVersion: model.version, nextRoundId: data.nextRoundId }, 'resumed from checkpoint');
    return { model, optimiser, nextRoundId: data.nextRoundId, fresh: false };
  }
  if (config.model === undefined) {
    throw new ServerError('NO_MODEL', 'no checkpoint to resume from: configure model.numItems and model.dim to create a fresh model');
  }
  const { numItems, dim, seed, initStd } = config.model;
  const model = ModelState.from(createSharedModel({ numItems, dim }, { seed, initStd }));
  logger.info({ numItems, dim }, 'created a fresh model');
  return { model, optimiser: createOptimiser(config.optimiser, model.floats, model.snapshot()), nextRoundId: 1, fresh: true };
}

/**
 * Hands the checkpoint's privacy state to whoever keeps it: the server's own
 * ledger (privacy configured) and the external hook. Refuses to resume a
 * ledger the configuration would silently drop.
 */
function restorePrivacy({ privacy, privacyLedger, logger }: ResumeDeps, stored: unknown, file: string, modelVersion: number, unrecordedRounds: number): void {
  if (isServerPrivacyState(stored)) {
    if (privacy === null) {
      throw new ServerError(
        'PRIVACY_LEDGER_CONFLICT',
        `checkpoint ${file} carries a privacy ledger, but this server has no privacy config: it would train on without accounting. Configure privacy, or start from an empty modelDir`,
      );
    }
    let external: unknown;
    try {
      external = privacy.restore(stored);
    } catch (error) {
      const issues = error instanceof ServerError ? error.issues : [];
      throw new ServerError('PRIVACY_LEDGER_CONFLICT', `checkpoint ${file} holds an invalid privacy ledger: ${error instanceof Error ? error.message : String(error)}`, issues);
    }
    privacyLedger?.restore?.(external);
    if (unrecordedRounds > 0) privacy.chargeUnrecordedRounds(unrecordedRounds);
    const { epsilonSpent, roundsAccounted, budgetExhausted } = privacy.status();
    logger.info({ epsilonSpent, roundsAccounted, budgetExhausted }, 'privacy ledger restored');
    return;
  }
  if (privacy !== null && modelVersion > 0) {
    logger.warn({ file, modelVersion }, 'checkpoint has no privacy ledger: the rounds that trained it so far are not accounted');
  }
  privacyLedger?.restore?.(stored);
}
