package dev.fletch.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs many {@code fletch} command lines in one JVM whose working directory is an example
 * repository, so relative paths in documented commands mean what they mean for a user. Used by
 * {@link DocsCommandsTest} as a child process.
 *
 * <p>Arguments: a file with one command per line (arguments separated by U+001F) and a folder
 * where, for command i, {@code i.code}, {@code i.out} and {@code i.err} are written.
 */
public final class DocsCommandRunner {
  static final String SEPARATOR = "\u001f";

  private DocsCommandRunner() {}

  public static void main(String[] args) throws IOException {
    List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
    Path results = Path.of(args[1]);
    for (int i = 0; i < lines.size(); i++) {
      String[] command = lines.get(i).split(SEPARATOR, -1);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code;
      try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
          PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
        code = Fletch.run(command, o, e);
      }
      Files.writeString(results.resolve(i + ".code"), Integer.toString(code));
      Files.write(results.resolve(i + ".out"), out.toByteArray());
      Files.write(results.resolve(i + ".err"), err.toByteArray());
    }
  }
}
