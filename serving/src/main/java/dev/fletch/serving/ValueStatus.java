package dev.fletch.serving;

/** What happened to one served value; mirrors {@code fletch.serving.v1.FeatureStatus}. */
public enum ValueStatus {
  /** A value was stored and is within the view's ttl. */
  PRESENT,
  /** A row was stored for the entity, but this feature's value in it is null. */
  NULL_VALUE,
  /** Nothing is stored for the entity in this view. */
  NOT_FOUND,
  /** The stored row is older than the view's ttl; the value is still returned. */
  OUTSIDE_MAX_AGE,
  /**
   * A row is stored for the entity, but it was written before this feature existed (or before its
   * type changed incompatibly): the feature has not been materialized since. The value is null; run
   * the view's materialization (after a schema change its next incremental job is a full one).
   * Unlike NULL_VALUE, nothing says the value is null.
   */
  NOT_MATERIALIZED
}
