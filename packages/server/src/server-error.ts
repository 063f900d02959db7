/**
 * Why the server could not start, resume or run. Codes are stable; messages
 * name the file or field and never include secrets or client payloads.
 */
export type ServerErrorCode =
  /** The configuration failed its schema (see `issues`). */
  | 'INVALID_CONFIG'
  /** No checkpoint to resume from and no `model` shape to create a fresh one. */
  | 'NO_MODEL'
  /** The checkpoint's model shape differs from the configured `model` shape. */
  | 'CHECKPOINT_SHAPE_MISMATCH'
  /** A checkpoint file failed verification (used internally; resume falls back to an older one). */
  | 'CHECKPOINT_CORRUPT'
  /** `listen()` was called twice, or after `close()`. */
  | 'BAD_LIFECYCLE'
  /**
   * The checkpoint's privacy ledger cannot be resumed: it is invalid, or the
   * server was started without `privacy` and would drop the ε already spent.
   * When it is invalid, `issues` holds its first bad field.
   */
  | 'PRIVACY_LEDGER_CONFLICT'
  /** `close()` could not write the open round's checkpoint within `shutdownTimeoutMs`. */
  | 'SHUTDOWN_TIMEOUT'
  /** `catalogueFile` cannot be read, is not a valid catalogue (the message names the file and the first bad field), or has another item count than the model. */
  | 'INVALID_CATALOGUE'
  /** Cluster mode: the Redis at `cluster.url` did not answer when the node started. */
  | 'CLUSTER_UNREACHABLE';

/** One problem with one configuration field. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `rounds.minClients`; empty for the whole object. */
  readonly path: string;
  readonly message: string;
}

export class ServerError extends Error {
  override readonly name = 'ServerError';

  constructor(
    readonly code: ServerErrorCode,
    message: string,
    /** For INVALID_CONFIG: one entry per bad field. For an invalid privacy ledger: its first bad field, by its path in the checkpoint's privacy state. */
    readonly issues: readonly ConfigIssue[] = [],
  ) {
    super(message);
  }
}
