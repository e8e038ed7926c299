package dev.fletch.cli.commands;

import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Scaffolds a small working feature repository. */
@Command(name = "init", description = "Create a new feature repository with a small example.")
public final class InitCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    throw new dev.fletch.core.InvalidRequestException("init is not implemented yet");
  }
}
