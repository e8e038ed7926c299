package dev.fletch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  /**
   * #24 item 4: validate, plan and apply read each source's schema; a wrong timestamp_field, a
   * feature with no column and a STRING column declared INT64 are each reported at their YAML
   * position with the file's actual type (not "valid", then a failure in materialize);
   * --no-data-check skips the reading.
   */
  @Test
  void validatePlanAndApplyCheckTheDefinitionsAgainstTheFiles() throws IOException {
    Path repo = tmp.resolve("shop");
    assertEquals(ExitCodes.OK, CliRun.run("init", repo.toString()).exitCode());
    Path entities = repo.resolve("entities.yaml");
    Files.writeString(
        entities,
        Files.readString(entities)
            .replace("timestamp_field: event_ts", "timestamp_field: event_time"));
    Path features = repo.resolve("features.yaml");
    Files.writeString(
        features,
        Files.readString(features)
            .replace(
                "      - {name: is_vip, type: BOOL}\n",
                "      - {name: is_vip, type: BOOL}\n"
                    + "      - {name: country, type: STRING}\n"
                    + "      - {name: segment, type: INT64}\n"));
    Path data = repo.resolve("data/customer_stats.csv");
    List<String> lines = new ArrayList<>(Files.readAllLines(data));
    lines.set(0, lines.get(0) + ",segment");
    for (int i = 1; i < lines.size(); i++) {
      lines.set(i, lines.get(i) + ",gold");
    }
    Files.write(data, lines);

    for (String command : List.of("validate", "plan", "apply")) {
      CliRun run =
          command.equals("apply")
              ? CliRun.run(command, "--repo", repo.toString(), "--yes")
              : CliRun.run(command, "--repo", repo.toString());
      assertEquals(ExitCodes.FAILURE, run.exitCode(), command + ": " + run.out());
      String err = run.err();
      assertTrue(err.contains("error: 3 problems in the feature repository"), err);
      assertTrue(
          err.contains(
              "entities.yaml:18:22: source 'customer_stats': timestamp_field 'event_time' is not a"
                  + " column of data/customer_stats.csv (columns: [customer_id, event_ts,"),
          err);
      assertTrue(
          err.contains(
              "features.yaml:18:16: feature view 'customer_stats' feature 'country': source"
                  + " 'customer_stats' has no column 'country'"),
          err);
      assertTrue(
          err.contains(
              "features.yaml:19:31: feature view 'customer_stats' feature 'segment': declared"
                  + " INT64, but column 'segment' of data/customer_stats.csv is VARCHAR"),
          err);
    }
    CliRun skipped = CliRun.run("validate", "--repo", repo.toString(), "--no-data-check");
    assertEquals(ExitCodes.OK, skipped.exitCode(), skipped.err());
    assertTrue(skipped.out().contains("not read (--no-data-check)"), skipped.out());
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
