/**
 * The Redis keys of a server cluster, all under `cluster.prefix` (several
 * jobs, and tests, can share one Redis). Nothing here is durable state: a
 * Redis that restarts empty costs the open round, never a model or ε (those
 * live in the checkpoints on the shared file system).
 */
export interface ClusterKeys {
  /** The coordinator lease: `<nodeId>/<token>`, with a TTL. */
  readonly lease: string;
  /** The fencing-token counter (INCR on every acquisition). */
  readonly token: string;
  /** The published model: `<version>/<token>` of its checkpoint. */
  readonly published: string;
  /** The round id the next round gets (kept across coordinators; a restarted Redis falls back to the checkpoint's). */
  readonly nextRound: string;
  /** The open round's announcement, while one is open (its successor abandons it). */
  readonly openRound: string;
  /** Set of node ids that have sent a heartbeat (members whose heartbeat key expired are removed by the coordinator). */
  readonly nodes: string;
  /** One node's heartbeat: JSON `{ eligible, connected }`, with a TTL. */
  node(nodeId: string): string;
  /** The list nodes push their partial sums of round `roundId` to. */
  partials(roundId: number): string;
  /** The pub/sub channel of round announcements. */
  readonly events: string;
}

export function clusterKeys(prefix: string): ClusterKeys {
  return {
    lease: `${prefix}:lease`,
    token: `${prefix}:token`,
    published: `${prefix}:published`,
    nextRound: `${prefix}:next-round`,
    openRound: `${prefix}:open-round`,
    nodes: `${prefix}:nodes`,
    node: (nodeId) => `${prefix}:node:${nodeId}`,
    partials: (roundId) => `${prefix}:partials:${roundId}`,
    events: `${prefix}:events`,
  };
}
