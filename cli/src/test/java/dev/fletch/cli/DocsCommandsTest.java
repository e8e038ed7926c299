package dev.fletch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fletch.examples.PaymentsDataGenerator;
import dev.fletch.examples.PaymentsExample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Keeps the docs honest: every {@code fletch ...} command line shown in a shell code block ({@code
 * bash}, {@code sh}, {@code shell}, or {@code $ } lines of {@code console}) of {@code docs/*.md}
 * and {@code README.md} must be accepted by picocli, and the cheap ones must succeed when run from
 * the payments example repository (in a child JVM whose working directory is that repository, after
 * {@code fletch apply --yes} and a materialization).
 *
 * <p>Commands that start servers or need external ones are only parsed: {@code serve}, {@code
 * quickstart}, and any line that sets an environment variable or points {@code --registry} at
 * PostgreSQL. Extra markdown files can be checked with {@code -Dfletch.docs.extra=a.md,b.md}.
 */
class DocsCommandsTest {
  /** Subcommands run for real against the example repository. */
  static final Set<String> RUN =
      Set.of(
          "validate",
          "plan",
          "apply",
          "list",
          "describe",
          "history",
          "historical",
          "materialize",
          "materialize-incremental",
          "jobs",
          "stats",
          "drift",
          "init",
          "help");

  static final Set<String> SHELL_BLOCKS = Set.of("bash", "sh", "shell", "console");

  record DocCommand(String file, int line, List<String> args, boolean needsServers) {
    String where() {
      return file + ":" + line + ": fletch " + String.join(" ", args);
    }

    String subcommand() {
      return args.stream().filter(a -> !a.startsWith("-")).findFirst().orElse("");
    }
  }

  @TempDir static Path tmp;
  static List<DocCommand> commands;

  @BeforeAll
  static void extract() throws IOException {
    commands = new ArrayList<>();
    for (Path file : docFiles()) {
      commands.addAll(extract(file));
    }
  }

  @Test
  void theDocsShowCommandsAndCoverEveryFletchCommand() {
    assertTrue(commands.size() >= 20, "only " + commands.size() + " commands found in the docs");
    Set<String> shown = new TreeSet<>();
    commands.forEach(c -> shown.add(c.subcommand()));
    Set<String> missing =
        new TreeSet<>(Fletch.commandLine(System.out, System.err).getSubcommands().keySet());
    missing.remove("help");
    missing.removeAll(shown);
    assertTrue(missing.isEmpty(), "commands never shown in the docs: " + missing);
  }

  @Test
  void everyDocumentedCommandIsAcceptedByPicocli() {
    List<String> rejected = new ArrayList<>();
    for (DocCommand c : commands) {
      CommandLine cli =
          Fletch.commandLine(new PrintStream(new ByteArrayOutputStream()), System.err);
      try {
        cli.parseArgs(c.args().toArray(String[]::new));
      } catch (ParameterException e) {
        rejected.add(c.where() + "\n    -> " + e.getMessage());
      }
    }
    assertTrue(
        rejected.isEmpty(),
        "commands in the docs that fletch rejects:\n" + String.join("\n", rejected));
  }

  @Test
  void everyCheapDocumentedCommandRunsAgainstTheExampleRepository() throws Exception {
    Path repo = tmp.resolve("payments");
    PaymentsExample.create(repo, PaymentsDataGenerator.Options.defaults());
    Path scratch = Files.createDirectories(tmp.resolve("scratch"));
    List<List<String>> toRun = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    toRun.add(List.of("apply", "--yes"));
    labels.add("(setup) fletch apply --yes");
    toRun.add(
        List.of(
            "materialize",
            "--start",
            "2020-01-01",
            "--end",
            PaymentsDataGenerator.DEFAULT_END.toString()));
    labels.add("(setup) fletch materialize");
    for (DocCommand c : commands) {
      if (!c.needsServers() && RUN.contains(c.subcommand())) {
        toRun.add(
            c.subcommand().equals("init")
                ? initElsewhere(c.args(), scratch, toRun.size())
                : c.args());
        labels.add(c.where());
      }
    }
    Path commandFile = tmp.resolve("commands.txt");
    List<String> lines = new ArrayList<>();
    toRun.forEach(a -> lines.add(String.join(DocsCommandRunner.SEPARATOR, a)));
    Files.write(commandFile, lines, StandardCharsets.UTF_8);
    Path results = Files.createDirectories(tmp.resolve("results"));

    ProcessBuilder pb =
        new ProcessBuilder(
                javaBinary(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Xmx512m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                testClassPath(),
                DocsCommandRunner.class.getName(),
                commandFile.toString(),
                results.toString())
            .directory(repo.toFile())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("runner.log").toFile());
    // The docs describe embedded defaults; a developer's FLETCH_* variables must not leak in.
    pb.environment().keySet().removeIf(k -> k.startsWith("FLETCH_"));
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("documented commands did not finish in 5 minutes");
    }
    assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("runner.log")));

    List<String> failures = new ArrayList<>();
    for (int i = 0; i < toRun.size(); i++) {
      int code = Integer.parseInt(Files.readString(results.resolve(i + ".code")).trim());
      // fletch drift exits 3 when a feature drifted: the command worked.
      boolean drift =
          toRun.get(i).stream()
              .filter(a -> !a.startsWith("-"))
              .findFirst()
              .orElse("")
              .equals("drift");
      if (code != 0 && !(drift && code == 3)) {
        failures.add(
            labels.get(i)
                + "\n    exit "
                + code
                + ": "
                + Files.readString(results.resolve(i + ".err")).strip().replace("\n", "\n    "));
      }
    }
    assertTrue(
        failures.isEmpty(), "documented commands that fail:\n" + String.join("\n", failures));
    assertTrue(toRun.size() >= 12, "only " + toRun.size() + " commands were run");
  }

  // `fletch init DIR` must not create a repository inside the example repository (the loader reads
  // subfolders); give it a folder of its own.
  private static List<String> initElsewhere(List<String> args, Path scratch, int n) {
    List<String> out = new ArrayList<>(args);
    int dirIndex = -1;
    for (int i = 1; i < out.size(); i++) {
      String a = out.get(i);
      if (a.startsWith("-")) {
        if (a.equals("--project") || a.equals("--repo") || a.equals("--registry")) {
          i++;
        }
        continue;
      }
      dirIndex = i;
      break;
    }
    Path target = scratch.resolve("init-" + n);
    if (dirIndex < 0) {
      out.add(target.toString());
    } else {
      out.set(dirIndex, target.resolve(out.get(dirIndex)).toString());
    }
    return out;
  }

  static List<Path> docFiles() throws IOException {
    Path root = repoRoot();
    List<Path> files = new ArrayList<>();
    if (Files.isRegularFile(root.resolve("README.md"))) {
      files.add(root.resolve("README.md"));
    }
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    String extra = System.getProperty("fletch.docs.extra", "");
    for (String f : extra.split(",")) {
      if (!f.isBlank()) {
        files.add(Path.of(f.trim()));
      }
    }
    return files;
  }

  static Path repoRoot() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("docs")) && Files.isRegularFile(p.resolve("mvnw"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root (with docs/) above " + here);
  }

  private static final Pattern ENV_ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*");

  /** The fletch command lines of one markdown file. */
  static List<DocCommand> extract(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<DocCommand> out = new ArrayList<>();
    String block = null;
    for (int i = 0; i < lines.size(); i++) {
      String trimmed = lines.get(i).strip();
      if (trimmed.startsWith("```")) {
        block = block == null ? trimmed.substring(3).strip().toLowerCase() : null;
        continue;
      }
      if (block == null || !SHELL_BLOCKS.contains(block)) {
        continue;
      }
      int first = i;
      StringBuilder text = new StringBuilder(trimmed);
      while (text.toString().endsWith("\\") && i + 1 < lines.size()) {
        text.setLength(text.length() - 1);
        text.append(' ').append(lines.get(++i).strip());
      }
      String line = text.toString();
      if (block.equals("console")) {
        if (!line.startsWith("$ ")) {
          continue;
        }
        line = line.substring(2);
      }
      List<String> words = tokenize(line, file, first + 1);
      boolean env = false;
      while (!words.isEmpty() && ENV_ASSIGNMENT.matcher(words.get(0)).matches()) {
        words.remove(0);
        env = true;
      }
      int start = fletchStart(words);
      if (start < 0) {
        continue;
      }
      List<String> args = List.copyOf(words.subList(start, words.size()));
      boolean postgres = args.stream().anyMatch(a -> a.contains("jdbc:postgresql"));
      out.add(new DocCommand(file.getFileName().toString(), first + 1, args, env || postgres));
    }
    return out;
  }

  // Index of the first argument after the fletch program (`fletch`, `./fletch`, `../fletch`,
  // `java ... -jar .../fletch.jar`), or -1 when the line runs something else.
  private static int fletchStart(List<String> words) {
    if (words.isEmpty()) {
      return -1;
    }
    String program = words.get(0);
    if (program.equals("fletch") || program.endsWith("/fletch")) {
      return 1;
    }
    if (program.equals("java")) {
      int jar = words.indexOf("-jar");
      if (jar >= 0 && jar + 1 < words.size() && words.get(jar + 1).endsWith("fletch.jar")) {
        return jar + 2;
      }
    }
    return -1;
  }

  /** Splits a shell command line like a POSIX shell would (quotes, escapes, comments). */
  static List<String> tokenize(String line, Path file, int lineNo) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote == '\'') {
        if (c == '\'') {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (quote == '"') {
        if (c == '"') {
          quote = 0;
        } else if (c == '\\'
            && i + 1 < line.length()
            && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
          word.append(line.charAt(++i));
        } else {
          word.append(c);
        }
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else if (c == '#' && word == null) {
        break;
      } else if (c == ';' || c == '|' || c == '&') {
        break; // only the first command of a pipeline or list is fletch's
      } else {
        if (word == null) {
          word = new StringBuilder();
        }
        if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '\\' && i + 1 < line.length()) {
          word.append(line.charAt(++i));
        } else {
          word.append(c);
        }
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException(file + ":" + lineNo + ": unterminated quote in: " + line);
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String testClassPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
  }
}
