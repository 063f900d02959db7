import type { PrivacyNotice } from '@fedrec/core/protocol';
import type { ConsentLevel } from '../consent/consent-level.js';
import type { UpdateLogEntry } from '../privacy/update-log-entry.js';
import type { RoundParticipantError } from '../rounds/round-participant-error.js';
import type { DeclineReason } from './decline-reason.js';
import type { ShopperClientError } from './shopper-client-error.js';

export interface ShopperClientEvents {
  consentChanged: { readonly consent: ConsentLevel; readonly chosen: boolean };
  /** The client received the server's privacy notice, first or a new version (`client.privacyNotice`). */
  noticeChanged: { readonly notice: PrivacyNotice };
  /**
   * The server publishes another privacy notice than the one the shopper's
   * `contribute` was given under (`consentedUnder`, null for a choice made
   * before notices or while none was known): the device stops contributing
   * until the shopper chooses again (`setConsent`); history and on-device
   * recommendations carry on. `client.consentNeeded` is true meanwhile.
   */
  consentNeeded: { readonly notice: PrivacyNotice; readonly consentedUnder: string | null };
  /** An event was stored (by this client, or another tab sharing the store). */
  historyChanged: { readonly events: number };
  /** A newer shared model is in use. */
  modelUpdated: { readonly modelVersion: number };
  /** The device accepted a round's invitation and is training. */
  roundJoined: { readonly roundId: number };
  roundDeclined: { readonly roundId: number; readonly reason: DeclineReason };
  /** An update left the device; `entry` is what the privacy dashboard lists. */
  updateSent: { readonly roundId: number; readonly entry: UpdateLogEntry };
  /**
   * The device's ε ledger or update log changed — here, or in another tab
   * sharing the store: read `transparency()` again for the new figures.
   */
  privacyChanged: Record<string, never>;
  roundClosed: { readonly roundId: number; readonly outcome: 'applied' | 'abandoned'; readonly modelVersion: number };
  /**
   * This client connected to the aggregation server (available for rounds),
   * or left it, or started waiting while another tab takes part for the
   * device (`waitingForTurn`).
   */
  participationChanged: { readonly participating: boolean; readonly waitingForTurn: boolean };
  /** Everything stored was deleted (by this client, or another tab sharing the store). */
  forgotten: Record<string, never>;
  /**
   * The server stopped answering, first noticed now: `GET /model` failed
   * (no network, the server down, an HTTP error, a bad model file), or,
   * with consent `contribute`, connecting or enrolling for rounds failed. `error.code` is `SERVER_UNREACHABLE`
   * and its message says which request failed and why. The client goes on
   * with the model in use, or the one stored on the device (`modelUpdated`
   * then follows). Fires again only after `online`.
   */
  offline: { readonly error: ShopperClientError };
  /** The server answers again after `offline`; `modelVersion` is the version it serves. */
  online: { readonly modelVersion: number };
  /** Failures in the background (model refresh, transport, storage during a round). Never fatal. */
  error: ShopperClientError | RoundParticipantError;
}
