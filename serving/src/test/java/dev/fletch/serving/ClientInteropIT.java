package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fletch.examples.PaymentsExample;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.offline.TrainingSetMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fletch as Python and Node teams use it (#20): clients whose stubs are made at run time from the
 * published .proto alone (grpcio-tools, @grpc/proto-loader) call the served payments example over
 * gRPC and HTTP; pandas writes an entity set with nanosecond UTC times, Fletch builds a training
 * set from it, and the README's Python examples (pandas with {@code dtype_backend="pyarrow"}, the
 * HTTP Arrow stream with {@code pyarrow.ipc.open_stream}) run as printed.
 *
 * <p>Needs python3 with pyarrow, pandas, grpcio and grpcio-tools, and node with the packages of
 * src/test/node ({@code .ci/run} installs both). Without them the tests are skipped, except under
 * {@code CI=true}, where they fail saying what is missing.
 */
class ClientInteropIT {
  @TempDir static Path dir;
  private static ExampleServer example;
  private static long customer;
  private static String merchant;

  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Path PROTO = MODULE.resolveSibling("proto").resolve("src/main/proto");
  private static final Path PYTHON = MODULE.resolve("src/test/python");
  private static final Path NODE = MODULE.resolve("src/test/node");

  @BeforeAll
  static void start() {
    example = ExampleServer.start(dir);
    PaymentsExample.ServingExample e = PaymentsExample.servingExamples(dir).get(0);
    customer = e.customerId();
    merchant = e.merchantId();
  }

  @AfterAll
  static void stop() {
    if (example != null) {
      example.close();
    }
  }

  private record Run(int code, String output) {}

  private static Run run(Path workDir, List<String> command) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " did not finish in 3 minutes:\n" + out);
    }
    return new Run(p.exitValue(), out);
  }

  /** Skips (on a developer's machine) or fails (under CI=true) when a tool is missing. */
  private static void require(boolean present, String what) {
    String message =
        what
            + " is missing; .ci/run installs it (python3 -m pip install -r"
            + " serving/src/test/python/requirements.txt; npm ci in serving/src/test/node)";
    if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true but " + message);
    }
    Assumptions.assumeTrue(present, message);
  }

  private static void requirePython() throws Exception {
    boolean ok;
    try {
      ok =
          run(MODULE, List.of("python3", "-c", "import pyarrow, pandas, grpc, grpc_tools")).code()
              == 0;
    } catch (IOException noPython) {
      ok = false;
    }
    require(ok, "python3 with pyarrow, pandas, grpcio and grpcio-tools");
  }

  /** Runs a check script to the end: every check passed, at least {@code min} of them. */
  private static void assertPassed(Run r, int min) {
    Matcher m = Pattern.compile("(?m)^(\\d+) passed, (\\d+) failed$").matcher(r.output());
    assertTrue(m.find(), "no summary line:\n" + r.output());
    assertEquals("0", m.group(2), r.output());
    assertTrue(Integer.parseInt(m.group(1)) >= min, r.output());
    assertEquals(0, r.code(), r.output());
  }

  /**
   * Python: stubs from the .proto, GetFeatures with number and text keys, the HTTP twin in both
   * entity shapes, the error shape, historical as an Arrow stream with its lineage; then an entity
   * set written by pandas (timestamp[ns, tz=UTC]) becomes a training set whose nullable INT64
   * features pandas reads as integers with dtype_backend="pyarrow".
   */
  @Test
  void pythonClientFromTheProtoAndPandasTrainingSets() throws Exception {
    requirePython();
    Run clients =
        run(
            PYTHON,
            List.of(
                "python3",
                "smoke.py",
                "clients",
                "--proto-dir",
                PROTO.toString(),
                "--grpc",
                Integer.toString(example.server.grpcPort()),
                "--http",
                Integer.toString(example.server.httpPort()),
                "--customer",
                Long.toString(customer),
                "--merchant",
                merchant,
                "--out",
                dir.toString()));
    assertPassed(clients, 8);

    Path train = trainingSet(dir.resolve("pandas_entities.parquet"), "train.parquet");
    assertPassed(
        run(PYTHON, List.of("python3", "smoke.py", "training-set", "--file", train.toString())), 2);
  }

  /** The training set fletch historical writes, here from an entity file, with its lineage. */
  private static Path trainingSet(Path entities, String name) {
    Path out = dir.resolve(name);
    long rows =
        example.offline.historicalToFile(
            example.applied,
            new HistoricalRequest(
                    new EntitySet.FromFile(entities),
                    List.of(),
                    PaymentsExample.SERVICE,
                    null,
                    false,
                    out,
                    null)
                .withMetadata(Map.of(TrainingSetMetadata.REGISTRY_VERSION, "1")));
    assertTrue(rows > 0, "rows: " + rows);
    return out;
  }

  /**
   * The README's Python examples, as printed (the server's port put in place of 6566), run in a
   * folder holding the train.parquet that the README's fletch historical command writes.
   */
  @Test
  void theReadmesPythonExamplesRun() throws Exception {
    requirePython();
    List<String> blocks = pythonBlocks(MODULE.getParent().resolve("README.md"));
    assertTrue(blocks.size() >= 2, "the README shows its Python examples: " + blocks.size());
    Path work = Files.createDirectories(dir.resolve("readme"));
    Files.copy(
        trainingSet(dir.resolve(PaymentsExample.LABELS), "readme-train.parquet"),
        work.resolve("train.parquet"));
    for (int i = 0; i < blocks.size(); i++) {
      String code =
          blocks.get(i).replace("127.0.0.1:6566", "127.0.0.1:" + example.server.httpPort());
      Path script = work.resolve("readme_example_" + i + ".py");
      Files.writeString(script, code);
      Run r = run(work, List.of("python3", script.getFileName().toString()));
      assertEquals(
          0, r.code(), "README Python example " + i + ":\n" + code + "\n->\n" + r.output());
      assertTrue(r.output().contains("int64[pyarrow]"), "example " + i + ":\n" + r.output());
    }
  }

  /** The code of every ```python block of a markdown file. */
  static List<String> pythonBlocks(Path markdown) throws IOException {
    List<String> blocks = new ArrayList<>();
    StringBuilder block = null;
    for (String line : Files.readAllLines(markdown, StandardCharsets.UTF_8)) {
      if (block == null && line.strip().equals("```python")) {
        block = new StringBuilder();
      } else if (block != null && line.strip().equals("```")) {
        blocks.add(block.toString());
        block = null;
      } else if (block != null) {
        block.append(line).append('\n');
      }
    }
    return blocks;
  }

  /**
   * Node: the .proto loaded at run time, int64 as text (as JavaScript must above 2^53), decimal
   * text keys, a key above 2^53 read exactly, non-canonical text refused.
   */
  @Test
  void nodeClientFromTheProto() throws Exception {
    boolean ok;
    try {
      ok =
          Files.isDirectory(NODE.resolve("node_modules/@grpc/grpc-js"))
              && Files.isDirectory(NODE.resolve("node_modules/@grpc/proto-loader"))
              && run(NODE, List.of("node", "--version")).code() == 0;
    } catch (IOException noNode) {
      ok = false;
    }
    require(ok, "node with @grpc/grpc-js and @grpc/proto-loader (in serving/src/test/node)");
    Run r =
        run(
            NODE,
            List.of(
                "node",
                "smoke.js",
                PROTO.toString(),
                Integer.toString(example.server.grpcPort()),
                Long.toString(customer),
                merchant));
    assertPassed(r, 5);
  }
}
