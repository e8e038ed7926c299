package dev.fletch.core;

/** The version of Fletch this build is: shown by servers and written into training sets. */
public final class FletchVersion {
  public static final String VERSION = "0.1.0";

  private FletchVersion() {}
}
