package dev.fletch.cli;

/**
 * The exit status of {@code fletch}: scripts and CI rely on these, so they never change meaning.
 *
 * <ul>
 *   <li>{@value #OK}: the command did what was asked.
 *   <li>{@value #FAILURE}: the command ran and failed (invalid definitions, a conflict, a store
 *       that cannot be reached, an unexpected error).
 *   <li>{@value #USAGE}: the command line itself is wrong (unknown option, missing argument).
 *   <li>{@value #THRESHOLD_CROSSED}: the command ran and a monitored threshold was crossed ({@code
 *       fletch drift}: a feature drifted), for cron jobs and CI to act on.
 * </ul>
 */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  public static final int THRESHOLD_CROSSED = 3;

  private ExitCodes() {}
}
