package dev.fletch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitValidateTest {
  @TempDir Path tmp;

  @Test
  void initScaffoldsARepositoryThatValidates() {
    Path repo = tmp.resolve("my-features");
    CliRun init = CliRun.run("init", repo.toString());
    assertEquals(ExitCodes.OK, init.exitCode(), init.err());
    assertTrue(Files.isRegularFile(repo.resolve("entities.yaml")));
    assertTrue(Files.isRegularFile(repo.resolve("features.yaml")));
    assertTrue(Files.isRegularFile(repo.resolve("data/customer_stats.csv")));
    assertTrue(Files.isRegularFile(repo.resolve(".gitignore")));
    assertTrue(init.out().contains("Created feature repository 'my_features'"), init.out());
    assertTrue(init.out().contains("fletch validate"), init.out());
    assertTrue(init.out().contains("fletch plan"), init.out());
    assertTrue(init.out().contains("fletch apply"), init.out());

    CliRun validate = CliRun.run("validate", "--repo", repo.toString());
    assertEquals(ExitCodes.OK, validate.exitCode(), validate.err());
    assertTrue(validate.out().contains("project:          my_features"), validate.out());
    assertTrue(
        validate.out().contains("feature views:    1 (4 features, 1 online)"), validate.out());
    assertTrue(validate.out().contains("feature services: 1"), validate.out());
  }

  @Test
  void registryOptionOverridesSettingsAndEnvironment() {
    Path repo = tmp.resolve("r");
    assertEquals(ExitCodes.OK, CliRun.run("init", repo.toString()).exitCode());
    CliRun run =
        CliRun.run("validate", "--repo", repo.toString(), "--registry", "jdbc:sqlite:/srv/reg.db");
    assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    assertTrue(run.out().contains("registry:         jdbc:sqlite:/srv/reg.db"), run.out());
  }

  @Test
  void initRefusesANonEmptyFolderUnlessForced() throws IOException {
    Files.writeString(tmp.resolve("notes.txt"), "mine");
    CliRun refused = CliRun.run("init", tmp.toString());
    assertEquals(ExitCodes.FAILURE, refused.exitCode());
    assertTrue(
        refused.err().startsWith("error: ") && refused.err().contains("--force"), refused.err());
    assertTrue(Files.notExists(tmp.resolve("entities.yaml")));

    CliRun forced = CliRun.run("init", tmp.toString(), "--force", "--project", "shop");
    assertEquals(ExitCodes.OK, forced.exitCode(), forced.err());
    assertEquals("mine", Files.readString(tmp.resolve("notes.txt")));
    assertTrue(Files.readString(tmp.resolve("entities.yaml")).contains("project: shop"));
  }

  @Test
  void validateOnABrokenRepoPrintsLocatedProblemsAndExitsWithOne() throws IOException {
    Path repo = tmp.resolve("r");
    assertEquals(ExitCodes.OK, CliRun.run("init", repo.toString()).exitCode());
    Path features = repo.resolve("features.yaml");
    String text = Files.readString(features);
    Files.writeString(
        features,
        text.replace("    ttl: 7d", "    ttl: 7 days")
            .replace("{name: spend_7d, type: DOUBLE}", "{name: spend_7d, type: DUBLE}"));
    Files.writeString(repo.resolve("fletch_settings.yaml"), "serve:\n  http_prt: 1\n");

    CliRun run = CliRun.run("validate", "--repo", repo.toString());
    assertEquals(ExitCodes.FAILURE, run.exitCode());
    String[] lines = run.errLines();
    assertEquals("error: 3 problems in the feature repository", lines[0], run.err());
    int ttlLine = lineOf(Files.readString(features), "ttl: 7 days");
    assertTrue(
        Arrays.stream(lines)
            .anyMatch(
                l ->
                    l.startsWith("features.yaml:" + ttlLine + ":10: ")
                        && l.contains("bad duration")),
        run.err());
    assertTrue(
        Arrays.stream(lines)
            .anyMatch(
                l ->
                    l.startsWith("features.yaml:")
                        && l.contains("unknown type 'DUBLE' (did you mean 'double'?)")),
        run.err());
    assertTrue(
        Arrays.stream(lines)
            .anyMatch(
                l ->
                    l.startsWith("fletch_settings.yaml:2:3: ")
                        && l.contains("did you mean 'http_port'?")),
        run.err());
  }

  @Test
  void validateOnAMissingFolderFails() {
    CliRun run = CliRun.run("validate", "--repo", tmp.resolve("nope").toString());
    assertEquals(ExitCodes.FAILURE, run.exitCode());
    assertTrue(run.err().contains("does not exist"), run.err());
  }

  private static int lineOf(String text, String marker) {
    String before = text.substring(0, text.indexOf(marker));
    return 1 + (int) before.chars().filter(c -> c == '\n').count();
  }
}
