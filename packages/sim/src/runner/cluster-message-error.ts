/**
 * A message on the simulation cluster's Redis keys that is not one this
 * version of FedRec wrote: wrong magic or version, truncated, trailing bytes,
 * or a field out of range. The message says which, never the payload.
 */
export class ClusterMessageError extends Error {
  override readonly name = 'ClusterMessageError';
}
