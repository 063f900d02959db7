import type { CheckpointData } from '../checkpoint/checkpoint-file.js';
import type { ModelState } from '../model/model-state.js';
import type { ServerOptimiser } from '../optimisers/server-optimiser.js';
import { isServerPrivacyState, type ServerPrivacy } from '../privacy/server-privacy.js';

export interface AdoptTarget {
  readonly model: ModelState;
  readonly optimiser: ServerOptimiser;
  readonly privacy: ServerPrivacy | null;
}

/**
 * Makes a durable checkpoint this process's state: the model it serves,
 * the optimiser's state and the privacy ledger. Every node of a cluster
 * follows the coordinator's checkpoints this way, so that whichever node
 * takes the lease next starts from where the last round left off, and any
 * node's `/status` and welcome report the ε actually spent.
 */
export function adoptCheckpoint(data: CheckpointData, { model, optimiser, privacy }: AdoptTarget): void {
  model.adopt(data.model);
  if (data.optimiser.kind === optimiser.kind) optimiser.restore(data.optimiser);
  if (privacy !== null && isServerPrivacyState(data.privacyLedger)) privacy.restore(data.privacyLedger);
}
