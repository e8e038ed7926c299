package dev.fletch.cli;

/** Placeholder entry point; the CLI issue fills it. */
public final class Fletch {
  private Fletch() {}

  public static void main(String[] args) {
    System.out.println("fletch");
  }
}
