package dev.fletch.examples;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The payments-fraud example feature repository: its YAML definitions (resources under {@code
 * payments/}) and its generated data under {@code data/}.
 */
public final class PaymentsExample {

  /** The YAML files of the example, in the order the loader reads them (by name). */
  public static final List<String> YAML_FILES =
      List.of("customer_views.yaml", "entities.yaml", "merchant_views.yaml", "services.yaml", "sources.yaml");

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
            throw new IllegalStateException("example resource payments/" + name + " is missing from the jar");
          }
          Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.writeString(dir.resolve(".gitignore"), ".fletch/\ndata/\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the example repository to " + dir, e);
    }
  }

  /** Writes the definitions and generates the data: a complete repository, ready for {@code fletch apply}. */
  public static PaymentsDataGenerator.Summary create(Path dir, PaymentsDataGenerator.Options options) {
    writeRepo(dir);
    return PaymentsDataGenerator.generate(dir.resolve("data"), options);
  }
}
