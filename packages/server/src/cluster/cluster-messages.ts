import { DECLINE_REASONS, roundPrivacySchema } from '@fedrec/core/protocol';
import { z } from 'zod';
import type { DeclineCounts } from '../rounds/decline-counts.js';
import type { RoundClosedInfo } from '../rounds/round-coordinator.js';

/**
 * What the nodes of a cluster tell each other through Redis, versioned and
 * validated on receipt like any message from the network (anyone with
 * access to the prefix can write there). Announcements travel as JSON on
 * the events channel; partial sums are binary (see partial-sum.ts).
 */
export const CLUSTER_MESSAGE_VERSION = 1;

const count = z.number().int().min(0);
const declinedSchema = z.strictObject(Object.fromEntries(DECLINE_REASONS.map((reason) => [reason, count])) as Record<(typeof DECLINE_REASONS)[number], typeof count>);

const plannedPrivacySchema = z.strictObject({
  message: roundPrivacySchema,
  wantsUnclippedBit: z.boolean(),
  expectedCohort: z.number().min(1),
  updateNoiseMultiplier: z.number().min(0),
  ledgerOrders: z.array(z.number().gt(1)),
});

/** The coordinator opens a round: every node samples its own eligible shoppers with q and invites them. */
const roundOpenSchema = z.strictObject({
  v: z.literal(CLUSTER_MESSAGE_VERSION),
  type: z.literal('round-open'),
  /** The fencing token of the coordinator that opened it. */
  token: z.number().int().min(1),
  roundId: count,
  /** The published model the round trains on (with the token of its checkpoint). */
  modelVersion: count,
  modelToken: count,
  privacy: plannedPrivacySchema.nullable(),
});

/** The coordinator closed a round; for an applied one, `checkpoint` names the durable file of the new model. */
const roundClosedSchema = z.strictObject({
  v: z.literal(CLUSTER_MESSAGE_VERSION),
  type: z.literal('round-closed'),
  token: z.number().int().min(1),
  roundId: count,
  outcome: z.enum(['applied', 'abandoned']),
  cause: z.enum(['target', 'cohort-done', 'deadline', 'shutdown', 'cohort-too-small', 'budget-exhausted', 'secure-aggregation', 'non-finite', 'coordinator-lost']),
  modelVersion: count,
  modelToken: count,
  accepted: count,
  cohortSize: count,
  durationMs: z.number().min(0),
  declined: declinedSchema,
});

const clusterMessageSchema = z.discriminatedUnion('type', [roundOpenSchema, roundClosedSchema]);

export type RoundOpenMessage = z.infer<typeof roundOpenSchema>;
export type RoundClosedClusterMessage = z.infer<typeof roundClosedSchema>;
export type ClusterMessage = z.infer<typeof clusterMessageSchema>;

/** A message from the events channel, or null (logged by the caller) if it is not one this version wrote. */
export function parseClusterMessage(text: string): ClusterMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = clusterMessageSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** What a node tells its own clients and events about a round the coordinator closed. */
export function closedInfo(message: RoundClosedClusterMessage): RoundClosedInfo {
  const { roundId, outcome, cause, modelVersion, accepted, cohortSize, durationMs } = message;
  return { roundId, outcome, cause, modelVersion, accepted, cohortSize, durationMs, declined: message.declined as DeclineCounts };
}

/** A node's heartbeat value. */
const heartbeatSchema = z.strictObject({ eligible: count, connected: count });
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export function parseHeartbeat(bytes: Buffer | null): Heartbeat | null {
  if (bytes === null) return null;
  try {
    const parsed = heartbeatSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
