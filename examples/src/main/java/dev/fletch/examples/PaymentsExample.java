package dev.fletch.examples;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The payments-fraud example feature repository: its YAML definitions (resources under {@code
 * payments/}) and its generated data under {@code data/}.
 */
public final class PaymentsExample {

  /** The YAML files of the example, in the order the loader reads them (by name). */
  public static final List<String> YAML_FILES =
      List.of(
          "customer_views.yaml",
          "entities.yaml",
          "merchant_views.yaml",
          "on_demand_views.yaml",
          "services.yaml",
          "sources.yaml");

  public static final String PROJECT = "payments";
  public static final String SERVICE = "fraud_model_v1";
  public static final String LABELS = "data/labels.parquet";

  private PaymentsExample() {}

  /** Copies the YAML definitions (and a .gitignore) into {@code dir}, creating it if needed. */
  public static void writeRepo(Path dir) {
    requireNonNull(dir, "dir is null");
    try {
      Files.createDirectories(dir);
      for (String name : YAML_FILES) {
        try (InputStream in = PaymentsExample.class.getResourceAsStream("/payments/" + name)) {
          if (in == null) {
            throw new IllegalStateException(
                "example resource payments/" + name + " is missing from the jar");
          }
          Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.writeString(dir.resolve(".gitignore"), ".fletch/\ndata/\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the example repository to " + dir, e);
    }
  }

  /**
   * Writes the definitions and generates the data: a complete repository, ready for {@code fletch
   * apply}.
   */
  public static PaymentsDataGenerator.Summary create(
      Path dir, PaymentsDataGenerator.Options options) {
    writeRepo(dir);
    return PaymentsDataGenerator.generate(dir.resolve("data"), options);
  }

  /** An entity row worth looking up online, with what to expect from it. */
  public record ServingExample(long customerId, String merchantId, double amount, String note) {}

  /**
   * Three entity rows for a GetFeatures demo, read from the generated labels: the most recent
   * transaction (fresh values), the customer whose card activity is the oldest (empty activity
   * windows: counts 0), and a customer and merchant that do not exist.
   */
  public static List<ServingExample> servingExamples(Path dir) {
    requireNonNull(dir, "dir is null");
    String labels = "'" + dir.resolve(LABELS).toAbsolutePath().toString().replace("'", "''") + "'";
    List<ServingExample> out = new ArrayList<>();
    try (Connection conn = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = conn.createStatement()) {
      try (ResultSet rs =
          st.executeQuery(
              "SELECT customer_id, merchant_id, amount FROM read_parquet("
                  + labels
                  + ")"
                  + " ORDER BY event_timestamp DESC, transaction_id DESC LIMIT 1")) {
        if (rs.next()) {
          out.add(
              new ServingExample(
                  rs.getLong(1), rs.getString(2), rs.getDouble(3), "the most recent transaction"));
        }
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT customer_id, arg_max(merchant_id, event_timestamp),"
                  + " arg_max(amount, event_timestamp) FROM read_parquet("
                  + labels
                  + ")"
                  + " GROUP BY customer_id ORDER BY max(event_timestamp), customer_id LIMIT 1")) {
        if (rs.next()) {
          out.add(
              new ServingExample(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getDouble(3),
                  "the customer idle the longest"));
        }
      }
    } catch (SQLException e) {
      throw new FletchException("reading " + dir.resolve(LABELS) + " failed: " + e.getMessage(), e);
    }
    out.add(
        new ServingExample(
            999_999_999L, "M99999", 100.0, "a customer and merchant that do not exist"));
    return out;
  }
}
