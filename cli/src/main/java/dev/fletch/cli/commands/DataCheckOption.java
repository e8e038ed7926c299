package dev.fletch.cli.commands;

import picocli.CommandLine.Option;

/**
 * {@code --no-data-check} of the commands that check definitions (validate, plan, apply): by
 * default they read each source's schema and check the definitions against it; this skips that, and
 * the check that local source paths match files, where the data is not reachable from this machine.
 */
final class DataCheckOption {
  @Option(
      names = "--no-data-check",
      description =
          "Do not read the sources' files: skip checking their columns and types against the"
              + " definitions, and that local paths match files (for machines without the data).")
  boolean skip;

  boolean readData() {
    return !skip;
  }
}
