package dev.fletch.core.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fletch.core.DefinitionException;
import dev.fletch.core.Problem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes a feature repository into a folder and finds where text sits in it (line, column). */
final class RepoFiles {
  static final String DATA =
      "event_ts,created_ts,customer_id,merchant_id,age,amount,txn_count\n"
          + "2024-01-01T00:00:00Z,2024-01-01T00:00:00Z,1,m1,30,10.0,1\n";

  static final String ENTITIES =
      """
      project: payments
      entities:
        - name: customer
          join_keys: [{name: customer_id, type: INT64}]
          description: A paying customer
          tags: {team: risk}
        - name: merchant
          join_keys:
            - {name: merchant_id, type: string}
      sources:
        - name: transactions
          type: csv
          path: data/transactions.csv
          timestamp_field: event_ts
          created_timestamp_field: created_ts
          field_mapping: {amt: amount}
          description: card transactions
      """;

  static final String VIEWS =
      """
      feature_views:
        - name: customer_profile
          entities: [customer]
          source: transactions
          ttl: 30d
          schedule: 1h
          features:
            - {name: age, type: INT32}
            - {name: avg_amount, type: DOUBLE, expression: "amount / nullif(txn_count, 0)"}
            - name: embedding
              type: list<float>
              description: learned
              tags: {pii: "no"}
          owner: risk@example.com
          tags: {tier: gold}
        - name: merchant_stats
          entities: [merchant]
          source: transactions
          online: false
          features:
            - {name: txn_count, type: int64}
      feature_services:
        - name: fraud_v1
          features: ["customer_profile:*", "merchant_stats:txn_count"]
          owner: risk
      """;

  final Path root;
  private final Map<String, String> files = new LinkedHashMap<>();

  RepoFiles(Path root) {
    this.root = root;
  }

  /** The valid sample repository (two YAML files and a CSV). */
  static RepoFiles valid(Path root) {
    return new RepoFiles(root)
        .write("data/transactions.csv", DATA)
        .write("a_entities.yaml", ENTITIES)
        .write("b_views.yaml", VIEWS);
  }

  RepoFiles write(String name, String text) {
    try {
      Path p = root.resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, text);
      files.put(name, text);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replaces text in a written file (the test's one change to the valid repository). */
  RepoFiles edit(String name, String from, String to) {
    String text = files.get(name);
    if (!text.contains(from)) {
      fail("'" + from + "' not in " + name);
    }
    return write(name, text.replace(from, to));
  }

  /** 1-based line and column of the first occurrence of {@code marker} (its occurrence-th one). */
  int[] at(String file, String marker, int occurrence) {
    String text = files.get(file);
    int idx = -1;
    for (int i = 0; i < occurrence; i++) {
      idx = text.indexOf(marker, idx + 1);
      if (idx < 0) {
        fail("'" + marker + "' occurs fewer than " + occurrence + " times in " + file);
      }
    }
    int line = 1 + (int) text.substring(0, idx).chars().filter(c -> c == '\n').count();
    int column = idx - text.lastIndexOf('\n', idx - 1);
    return new int[] {line, column};
  }

  List<Problem> problems() {
    return assertThrows(DefinitionException.class, () -> RepoLoader.load(root)).problems();
  }

  /**
   * Asserts that loading fails with a problem at {@code marker} whose message contains {@code
   * text}.
   */
  Problem expectProblem(String file, String marker, int occurrence, String text) {
    List<Problem> problems = problems();
    int[] pos = at(file, marker, occurrence);
    for (Problem p : problems) {
      if (p.file().equals(file)
          && p.line() == pos[0]
          && p.column() == pos[1]
          && p.message().contains(text)) {
        return p;
      }
    }
    fail(
        "expected a problem at "
            + file
            + ":"
            + pos[0]
            + ":"
            + pos[1]
            + " containing '"
            + text
            + "', got:\n"
            + problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
    return null;
  }

  Problem expectProblem(String file, String marker, String text) {
    return expectProblem(file, marker, 1, text);
  }

  static void assertSingle(List<Problem> problems) {
    assertEquals(1, problems.size(), () -> "expected one problem, got " + problems);
  }
}
