import type { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import type { ModelState } from '../model/model-state.js';
import type { ServerOptimiser } from '../optimisers/server-optimiser.js';
import type { PrivacyLedgerHook } from '../privacy-ledger-hook.js';
import type { ServerPrivacy } from '../privacy/server-privacy.js';
import type { AppliedRound } from '../rounds/round-coordinator.js';
import type { FedRecServerEvents } from '../server-events.js';
import type { ServerStats } from '../status/server-stats.js';
import type { CheckpointStore } from './checkpoint-store.js';

export interface CheckpointCommitDeps {
  /** Null: the server keeps no checkpoints (no `modelDir`), and a commit is a no-op. */
  readonly store: CheckpointStore | null;
  readonly model: ModelState;
  readonly optimiser: ServerOptimiser;
  /** The round id the next round will get (for the fresh model's checkpoint, which follows no round). */
  readonly nextRoundId: () => number;
  readonly privacy: ServerPrivacy | null;
  readonly privacyLedger?: PrivacyLedgerHook | undefined;
  /** The external hook's state as the resumed checkpoint held it: what a checkpoint that follows no round (a grown model's) carries on. */
  readonly resumedExternalLedger?: unknown;
  readonly stats: ServerStats;
  readonly events: EventEmitter<FedRecServerEvents>;
}

/**
 * Returns the function that makes a round durable: the working model, the
 * optimiser's state and the privacy ledger with this round in it, written in
 * one checkpoint (`null`: the fresh model, before any round). It rejects if
 * the write fails; the coordinator then halts releases and retries.
 */
export function checkpointCommitter(deps: CheckpointCommitDeps): (applied: AppliedRound | null) => Promise<void> {
  const { store, model, optimiser, privacy, privacyLedger, stats, events } = deps;
  const privacyState = (applied: AppliedRound | null): unknown => {
    const external = applied !== null && privacyLedger !== undefined ? privacyLedger.snapshot(applied) : (deps.resumedExternalLedger ?? null);
    return privacy === null ? external : privacy.toJSON(external);
  };
  return async (applied) => {
    if (store === null) return;
    const started = performance.now();
    try {
      const file = await store.write({
        model: model.snapshot(),
        optimiser: optimiser.snapshot(),
        lastRoundId: applied?.roundId ?? null,
        nextRoundId: applied?.nextRoundId ?? deps.nextRoundId(),
        privacyLedger: privacyState(applied),
        createdAt: new Date().toISOString(),
        ...(model.catalogue !== null ? { catalogue: model.catalogue } : {}),
      });
      stats.lastCheckpointMs = performance.now() - started;
      stats.lastCheckpointFile = basename(file);
      stats.lastCheckpointError = null;
      events.emit('checkpointWritten', { file, modelVersion: model.workingVersion, roundId: applied?.roundId ?? null });
    } catch (error) {
      stats.lastCheckpointError = error instanceof Error ? error.message : String(error);
      throw error;
    }
  };
}
