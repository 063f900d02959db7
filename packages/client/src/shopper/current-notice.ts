import type { PrivacyNotice } from '@fedrec/core/protocol';
import { fetchPrivacyNotice } from './fetch-privacy-notice.js';
import { consentNeedsRenewal } from './notice-consent.js';
import type { ShopperContext } from './shopper-context.js';
import { ShopperClientError } from './shopper-client-error.js';

/**
 * The server's privacy notice as the client knows it (`GET /privacy-notice`,
 * revalidated by its version). Receiving a new version is what asks the
 * shopper again: when the chosen `contribute` was given under another one,
 * `consentNeeded` fires and the device stops contributing until the shopper
 * chooses again (see `notice-consent.ts`).
 */
export class CurrentNotice {
  readonly #context: ShopperContext;
  readonly #changed: () => void;
  #asking: Promise<PrivacyNotice> | null = null;

  /** `changed` runs after a new notice is adopted (the client re-checks its place in rounds). */
  constructor(context: ShopperContext, changed: () => void) {
    this.#context = context;
    this.#changed = changed;
  }

  /** Asks the server now (one request at a time); resolves to the notice in force, rejects with `NOTICE_UNAVAILABLE`. */
  refresh(): Promise<PrivacyNotice> {
    const { options, state } = this.#context;
    const serverUrl = options.serverUrl;
    if (serverUrl === undefined) return Promise.reject(new ShopperClientError('NOTICE_UNAVAILABLE', 'no serverUrl: the client has no server to ask for its privacy notice'));
    this.#asking ??= fetchPrivacyNotice(serverUrl, state.notice?.version ?? null, options.fetch)
      .then((answer) => {
        if (answer.kind === 'notice') this.#adopt(answer.notice);
        // 'unchanged' is only answered to a version held.
        return state.notice ?? Promise.reject(new ShopperClientError('NOTICE_UNAVAILABLE', 'GET /privacy-notice answered 304 to a client holding no notice'));
      })
      .finally(() => {
        this.#asking = null;
      });
    return this.#asking;
  }

  /** Like `refresh`, but a failure counts as the server being unreachable (`offline`) and resolves to null, never rejects. */
  refreshOrReport(): Promise<PrivacyNotice | null> {
    return this.refresh().catch((error: unknown) => {
      this.#context.reachability.failed(error instanceof Error ? error.message : 'unknown failure', error);
      return null;
    });
  }

  refreshInBackground(): void {
    void this.refreshOrReport();
  }

  #adopt(notice: PrivacyNotice): void {
    const { state, emit } = this.#context;
    if (state.closed || state.notice?.version === notice.version) return;
    state.notice = notice;
    // A `contribute` chosen in this session before any notice had arrived was chosen under the one published then: this one.
    if (state.noticePending) {
      state.noticePending = false;
      state.consentNotice = notice.version;
    }
    emit('noticeChanged', { notice });
    if (consentNeedsRenewal(state)) emit('consentNeeded', { notice, consentedUnder: state.consentNotice });
    this.#changed();
  }
}
