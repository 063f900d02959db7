import type { SecAggReceiveResult, SecAggResult, SecAggRoundConfig, SecAggServerMessage } from '@fedrec/secagg';
import { SecAggError, SecAggRejectReason, SecAggServer, SecAggStage } from '@fedrec/secagg';

/** How a SecAgg+ round ended: the survivors' modular sum, or why it was aborted (nothing individual was revealed). */
export type SecureAggregationOutcome =
  | { readonly ok: true; readonly result: SecAggResult }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface SecureAggregationSessionDeps {
  readonly config: SecAggRoundConfig;
  /** Cohort member → SecAgg index (1…n). */
  readonly indices: ReadonlyMap<string, number>;
  /** Deadline of stage 0 (covers local training). */
  readonly firstStageTimeoutMs: number;
  /** Deadline of each later stage. */
  readonly stageTimeoutMs: number;
  /** Delivers one server message to the member it is addressed to (dropped if it is gone). */
  send(clientId: string, message: SecAggServerMessage): void;
  /** Called exactly once, unless `abort()` came first. */
  finished(outcome: SecureAggregationOutcome): void;
}

/**
 * Drives one `SecAggServer` over a transport: routes each client's message in
 * (checking that its `sender` is the index of the connection it came on),
 * closes each stage when every member still expected has replied or left, or
 * at the stage's deadline (a member that misses it has dropped out), and
 * routes each stage's messages to their recipients. Masked inputs are summed
 * on arrival by `SecAggServer`: no individual update is ever held, and none
 * is ever visible unmasked.
 */
export class SecureAggregationSession {
  readonly #server: SecAggServer;
  readonly #deps: SecureAggregationSessionDeps;
  readonly #clientIds = new Map<number, string>();
  /** Members whose reply for the open stage is still awaited. */
  #awaited = new Set<number>();
  readonly #gone = new Set<number>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closing = false;
  #done = false;

  constructor(deps: SecureAggregationSessionDeps) {
    this.#deps = deps;
    this.#server = new SecAggServer(deps.config);
    for (const [clientId, index] of deps.indices) this.#clientIds.set(index, clientId);
    this.#awaited = new Set(deps.indices.values());
    this.#arm(deps.firstStageTimeoutMs);
  }

  get stage(): SecAggServer['stage'] {
    return this.#server.stage;
  }

  /** The member's index in this round, or undefined if it is not in the cohort. */
  indexOf(clientId: string): number | undefined {
    return this.#deps.indices.get(clientId);
  }

  /** Hands one client message to the state machine. Never throws; a refusal changes nothing. */
  receive(clientId: string, raw: Record<string, unknown>): SecAggReceiveResult {
    const index = this.#deps.indices.get(clientId);
    if (index === undefined) return refuse('NOT_IN_COHORT', 'this client is not in the round’s cohort');
    if (this.#done) return refuse('ROUND_ENDED', 'the secure aggregation has finished');
    if (raw['sender'] !== index) return refuse('WRONG_SENDER', `sender: expected this connection's index ${index}`);
    const outcome = this.#server.receive(raw);
    if (outcome.accepted) {
      this.#awaited.delete(index);
      this.#closeIfComplete();
    }
    return outcome;
  }

  /** A member disconnected: it has dropped out (its SecAgg state is gone with its connection). */
  clientDisconnected(clientId: string): void {
    const index = this.#deps.indices.get(clientId);
    if (index === undefined || this.#done) return;
    this.#gone.add(index);
    this.#awaited.delete(index);
    this.#closeIfComplete();
  }

  /** Stops the timers; `finished` is not called. */
  abort(): void {
    this.#done = true;
    this.#disarm();
  }

  #closeIfComplete(): void {
    if (this.#awaited.size > 0 || this.#closing) return;
    this.#closing = true;
    // After the current handler has replied to its client.
    queueMicrotask(() => this.#closeSafely());
  }

  /** A failure while closing (e.g. in the transport) ends the round instead of escaping as an unhandled rejection. */
  #closeSafely(): void {
    this.#close().catch((error: unknown) => {
      this.#closing = false;
      if (!this.#done) this.#finish({ ok: false, code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) });
    });
  }

  /**
   * Closes the open stage. `#closing` stays set while the state machine works
   * (the last stage awaits native crypto), so neither a disconnect nor the
   * deadline starts a second close meanwhile.
   */
  async #close(): Promise<void> {
    this.#closing = true;
    if (this.#done) return;
    this.#disarm();
    let closed;
    try {
      closed = await this.#server.closeStage();
    } catch (error) {
      this.#closing = false;
      if (this.#done) return;
      this.#finish(
        error instanceof SecAggError
          ? { ok: false, code: error.code, message: error.message }
          : { ok: false, code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) },
      );
      return;
    }
    this.#closing = false;
    if (this.#done) return; // aborted while the last stage closed
    if (closed.closedStage === SecAggStage.unmasking) {
      this.#finish({ ok: true, result: closed.result });
      return;
    }
    const recipients = closed.messages.filter((message) => !this.#gone.has(message.recipient));
    // The awaited set is in place before anything is sent: a transport may deliver a reply synchronously.
    this.#awaited = new Set(recipients.map((message) => message.recipient));
    this.#arm(this.#deps.stageTimeoutMs);
    for (const message of recipients) this.#deps.send(this.#clientIds.get(message.recipient)!, message);
    this.#closeIfComplete();
  }

  #finish(outcome: SecureAggregationOutcome): void {
    this.#done = true;
    this.#disarm();
    this.#deps.finished(outcome);
  }

  #arm(timeoutMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#closing) this.#closeSafely();
    }, timeoutMs);
  }

  #disarm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

function refuse(reasonName: 'NOT_IN_COHORT' | 'ROUND_ENDED' | 'WRONG_SENDER', detail: string): SecAggReceiveResult {
  return { accepted: false, reason: SecAggRejectReason[reasonName], reasonName, detail };
}
