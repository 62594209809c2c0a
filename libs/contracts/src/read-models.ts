/**
 * What the projector promises the gateway about its read models (the rm_*
 * tables; the projector's migrations define them).
 */

/** Checkpoint (and leader-lock) name of the read-model projection: a gateway's applied cursor follows it. */
export const READ_MODELS_CHECKPOINT = 'projector:read-models';

/**
 * Kinds of rows named by `rm_changes(seq, kind, id)`. `grant` ids are
 * `<resourceId>:<userId>`; `reset` (after a rebuild) means reload everything.
 */
export const CHANGE_KINDS = ['user', 'apiKey', 'organization', 'project', 'site', 'grant', 'reset'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Body of the `projectionChanged` NATS message: a wake-up, Postgres holds the truth. */
export interface ProjectionChangedMessage {
  /** Highest rm_changes.seq committed. */
  seq: string;
  /** The projector's checkpoint after the commit (position token). */
  position: string;
}
