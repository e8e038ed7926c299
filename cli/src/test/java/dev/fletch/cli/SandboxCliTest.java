package dev.fletch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox issue's reproductions as a user would run them: validate and apply name the problem
 * where it is written and store nothing; an entity query cannot read outside the repository.
 */
class SandboxCliTest {
  @TempDir Path tmp;
  private Path repo;
  private Path features;
  private String original;

  @BeforeEach
  void scaffold() throws Exception {
    repo = tmp.resolve("shop");
    assertEquals(ExitCodes.OK, CliRun.run("init", repo.toString()).exitCode());
    features = repo.resolve("features.yaml");
    original = Files.readString(features);
  }

  private CliRun fletch(String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--repo";
    all[args.length + 1] = repo.toString();
    return CliRun.run(all);
  }

  private void expression(String yamlValue) throws Exception {
    Files.writeString(
        features,
        original.replace(
            "expression: \"spend_7d / nullif(orders_7d, 0)\"", "expression: " + yamlValue));
  }

  @Test
  void aBreakOutExpressionIsRefusedAtItsPositionAndNothingIsApplied() throws Exception {
    Path pwned = tmp.resolve("pwned.txt");
    expression(
        "'1) AS BIGINT) AS x FROM (SELECT 1 AS customer_id) AS src; COPY (SELECT ''pwned'') TO ''"
            + pwned
            + "'' (FORMAT csv); SELECT 1 --'");
    String text = Files.readString(features);
    int line = (int) text.substring(0, text.indexOf("expression: '1)")).lines().count();
    int column = text.lines().toList().get(line - 1).indexOf("'1)") + 1 + 2; // the ')' after 1

    for (String command : new String[] {"validate", "plan", "apply"}) {
      CliRun run = command.equals("apply") ? fletch("apply", "--yes") : fletch(command);
      assertEquals(ExitCodes.FAILURE, run.exitCode(), command + ": " + run.out());
      assertTrue(
          run.err().contains("features.yaml:" + line + ":" + column + ": "),
          command + ": " + run.err());
      assertTrue(run.err().contains("unexpected ')'"), run.err());
    }
    CliRun history = fletch("history");
    assertFalse(history.out().contains("version 1"), history.out());
    assertFalse(Files.exists(pwned));
  }

  @Test
  void fileReadingFunctionsAreNamed() throws Exception {
    for (String fn : new String[] {"read_csv", "read_text", "getenv", "glob", "current_setting"}) {
      expression("\"" + fn + "('/etc/passwd')\"");
      CliRun run = fletch("validate");
      assertEquals(ExitCodes.FAILURE, run.exitCode());
      assertTrue(
          run.err().contains("uses " + fn + "(), which is not allowed"), fn + ": " + run.err());
    }
  }

  @Test
  void anEntityQueryCannotReadOutsideTheRepository() throws Exception {
    Path secret = tmp.resolve("secret.csv");
    Files.writeString(secret, "customer_id,event_timestamp\n1,2024-01-01T00:00:00Z\n");
    assertEquals(ExitCodes.OK, fletch("apply", "--yes").exitCode());
    CliRun run =
        fletch(
            "historical",
            "--entity-query",
            "SELECT * FROM read_csv('" + secret + "')",
            "--service",
            "churn_model_v1",
            "--out",
            tmp.resolve("out.parquet").toString());
    assertEquals(ExitCodes.FAILURE, run.exitCode(), run.out());
    assertTrue(run.err().contains("disabled by configuration"), run.err());
    assertFalse(Files.exists(tmp.resolve("out.parquet")));
  }

  @Test
  void aSourceOutsideTheRepositoryNeedsTheOperatorsAllowList() throws Exception {
    Path lake = Files.createDirectories(tmp.resolve("lake"));
    Files.copy(repo.resolve("data/customer_stats.csv"), lake.resolve("customer_stats.csv"));
    Path entities = repo.resolve("entities.yaml");
    String text = Files.readString(entities);
    Files.writeString(
        entities,
        text.replace(
            "path: data/customer_stats.csv", "path: " + lake.resolve("customer_stats.csv")));
    CliRun refused = fletch("validate");
    assertEquals(ExitCodes.FAILURE, refused.exitCode());
    assertTrue(refused.err().contains("leaves the repository"), refused.err());
    assertTrue(refused.err().contains("offline_store.allowed_directories"), refused.err());

    Files.writeString(
        repo.resolve("fletch_settings.yaml"),
        "offline_store:\n  allowed_directories: [" + lake + "]\n");
    CliRun allowed = fletch("validate");
    assertEquals(ExitCodes.OK, allowed.exitCode(), allowed.err());
  }
}
