import { basename } from 'node:path';
import type { Catalogue } from '@fedrec/core/catalogue';
import { checkCatalogueGrowth, growModel } from '@fedrec/core/catalogue';
import { createSharedModel } from '@fedrec/core/model';
import type { Logger } from 'pino';
import type { CheckpointData, ModelCatalogue } from '../checkpoint/checkpoint-file.js';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import { checkpointVersion } from '../checkpoint/checkpoint-store.js';
import type { ResolvedServerConfig } from '../config/server-config.js';
import { ModelState } from '../model/model-state.js';
import { createOptimiser } from '../optimisers/create-optimiser.js';
import { DenoisedFedAvg } from '../optimisers/denoised-fed-avg.js';
import { growOptimiserState } from '../optimisers/grow-optimiser-state.js';
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
  /** The shop's catalogue (`catalogueFile`), already parsed: it decides the model's rows. */
  readonly catalogue?: Catalogue | null | undefined;
}

export interface ResumedState {
  readonly model: ModelState;
  readonly optimiser: ServerOptimiser;
  readonly nextRoundId: number;
  /** A new model (or one grown for new products), not yet checkpointed: checkpoint it before listening. */
  readonly fresh: boolean;
  /** The external ledger hook's state from the checkpoint (null for a fresh model), carried into the checkpoint of a grown model. */
  readonly externalLedger: unknown;
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
  const catalogue = deps.catalogue ?? null;
  if (catalogue !== null && config.model !== undefined && config.model.numItems !== catalogue.itemIds.length) {
    throw new ServerError(
      'INVALID_CATALOGUE',
      `${config.catalogueFile ?? 'the catalogue'} lists ${catalogue.itemIds.length} products, but model.numItems is ${config.model.numItems}: the catalogue's products are the model's rows (set model.numItems to ${catalogue.itemIds.length})`,
    );
  }
  if (loaded !== null) {
    const { data, file } = loaded;
    const rows = rowsFor(data, catalogue, config, basename(file), logger);
    const resumed = ModelState.from(data.model);
    // A newer checkpoint that no longer verifies was published by an earlier run: its version must not be reused for other bytes.
    for (const { file: skippedFile } of loaded.skipped) resumed.reserveVersionsThrough(checkpointVersion(basename(skippedFile)) ?? 0);
    // Each version is one applied, published round: those only the skipped files recorded were released, and must still be charged.
    const unrecordedRounds = resumed.reservedThrough - data.model.version;
    if (unrecordedRounds > 0) {
      logger.warn(
        { file: basename(file), modelVersion: resumed.version, unrecordedRounds },
        'resumed from an older checkpoint: the rounds only newer, unreadable checkpoints recorded are charged to the privacy ledger again, and their versions are not reused',
      );
    }
    if (rows.added > 0 && config.cluster !== undefined) {
      // Every node would grow and checkpoint on its own, outside the coordinator's fenced writes, and nodes
      // started before would serve the shorter catalogue meanwhile: growth is a single server's step.
      throw new ServerError(
        'INVALID_CATALOGUE',
        `the catalogue adds ${rows.added} products to checkpoint ${basename(file)}: a cluster node does not grow the model; stop the cluster, start one \`fedrec server\` without --cluster on the same modelDir and catalogue (it grows and checkpoints the model), then restart the nodes`,
      );
    }
    const grown = rows.added > 0 ? growModel(data.model, catalogue!) : null;
    // A grown model is new bytes: it takes the next version, never one an earlier run may have published.
    const model = grown === null ? ModelState.from(data.model, rows.catalogue) : ModelState.from({ ...grown, version: resumed.reservedThrough + 1 }, rows.catalogue);
    // The served model is a new ModelState: it keeps the versions the unreadable checkpoints hold reserved.
    model.reserveVersionsThrough(resumed.reservedThrough);
    if (grown !== null) {
      logger.info(
        { file: basename(file), fromItems: data.model.shape.numItems, toItems: grown.shape.numItems, modelVersion: model.version, catalogueVersion: catalogue!.version },
        'grew the model for the products the catalogue added: their rows start from the products sharing their attributes',
      );
    }
    const optimiser = createOptimiser(config.optimiser, model.floats, model.snapshot());
    const optimiserState = grown === null ? data.optimiser : growOptimiserState(data.optimiser, data.model.shape, grown.shape, optimiser.snapshot());
    if (data.optimiser.kind === optimiser.kind) optimiser.restore(optimiserState);
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
    const externalLedger = restorePrivacy(deps, data.privacyLedger, basename(file), data.model.version, unrecordedRounds);
    logger.info({ file: basename(file), modelVersion: model.version, nextRoundId: data.nextRoundId }, 'resumed from checkpoint');
    return { model, optimiser, nextRoundId: data.nextRoundId, fresh: grown !== null, externalLedger };
  }
  if (config.model === undefined) {
    throw new ServerError('NO_MODEL', 'no checkpoint to resume from: configure model.numItems and model.dim to create a fresh model');
  }
  const { numItems, dim, seed, initStd } = config.model;
  const model = ModelState.from(createSharedModel({ numItems, dim }, { seed, initStd }), catalogue === null ? null : { version: catalogue.version, itemIds: catalogue.itemIds });
  logger.info({ numItems, dim }, 'created a fresh model');
  return { model, optimiser: createOptimiser(config.optimiser, model.floats, model.snapshot()), nextRoundId: 1, fresh: true, externalLedger: null };
}

/**
 * The rows a checkpoint's model will have under the configured catalogue,
 * and how many products that adds. Refuses a dimension other than the
 * configured one, a row count other than the configured one without a
 * catalogue to grow by, and a catalogue that drops or reorders the model's
 * products (naming the first one).
 */
function rowsFor(data: CheckpointData, catalogue: Catalogue | null, config: ResolvedServerConfig, file: string, logger: Logger): { readonly added: number; readonly catalogue: ModelCatalogue | null } {
  const { shape } = data.model;
  if (config.model !== undefined && config.model.dim !== shape.dim) {
    throw new ServerError('CHECKPOINT_SHAPE_MISMATCH', `checkpoint ${file} holds a ${shape.numItems}×${shape.dim} model, but the config asks for ${config.model.numItems}×${config.model.dim}: the dimension cannot change`);
  }
  if (catalogue === null) {
    if (config.model !== undefined && config.model.numItems !== shape.numItems) {
      throw new ServerError(
        'CHECKPOINT_SHAPE_MISMATCH',
        `checkpoint ${file} holds a ${shape.numItems}×${shape.dim} model, but the config asks for ${config.model.numItems}×${config.model.dim}: a model grows only with a catalogueFile naming its products`,
      );
    }
    return { added: 0, catalogue: data.catalogue ?? null };
  }
  let rowIds = data.catalogue?.itemIds;
  if (rowIds === undefined) {
    // Checkpoints written before the server kept product ids: the server then refused any catalogue of another size, so the rows were its first products.
    if (catalogue.itemIds.length < shape.numItems) {
      throw new ServerError('INVALID_CATALOGUE', `${config.catalogueFile} lists ${catalogue.itemIds.length} products, but checkpoint ${file} has ${shape.numItems} rows: products leave by being marked "retired", not removed`);
    }
    rowIds = catalogue.itemIds.slice(0, shape.numItems);
    logger.warn({ file, rows: shape.numItems }, "checkpoint predates product ids: taking the catalogue's first products as its rows");
  }
  let added: number;
  try {
    added = checkCatalogueGrowth(rowIds, catalogue);
  } catch (error) {
    throw new ServerError('INVALID_CATALOGUE', `${config.catalogueFile} does not extend the model of checkpoint ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { added, catalogue: { version: catalogue.version, itemIds: catalogue.itemIds } };
}

/**
 * Hands the checkpoint's privacy state to whoever keeps it: the server's own
 * ledger (privacy configured) and the external hook. Refuses to resume a
 * ledger the configuration would silently drop.
 */
function restorePrivacy({ privacy, privacyLedger, logger }: ResumeDeps, stored: unknown, file: string, modelVersion: number, unrecordedRounds: number): unknown {
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
    return external;
  }
  if (privacy !== null && modelVersion > 0) {
    logger.warn({ file, modelVersion }, 'checkpoint has no privacy ledger: the rounds that trained it so far are not accounted');
  }
  privacyLedger?.restore?.(stored);
  return stored;
}
