/**
 * Version of FedRec's socket protocol (the metadata messages and event names
 * in this folder; the tensor bytes they carry have their own FORMAT_VERSION).
 *
 * A peer speaking another version is refused with UNSUPPORTED_VERSION rather
 * than half-understood. Adding an optional server→client field is compatible;
 * anything a version-1 peer would misread needs a new version.
 */
export const PROTOCOL_VERSION = 1;
