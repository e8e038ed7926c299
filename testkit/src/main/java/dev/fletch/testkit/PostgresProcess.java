package dev.fletch.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own: {@code initdb} into a temporary folder, started with
 * {@code pg_ctl} on a free port of 127.0.0.1 (trust authentication, no fsync), stopped and deleted
 * on {@link #close()}. For fault tests that must freeze or stop the database ({@link #freeze()}
 * sends SIGSTOP to the server and every backend), which the machine's shared server must never be
 * put through. Needs the PostgreSQL server binaries ({@code apt-get install postgresql}); as root
 * it runs them as the {@code postgres} user, since {@code initdb} refuses root.
 */
public final class PostgresProcess implements AutoCloseable {
  private final Path dir;
  private final Path bin;
  private final int port;
  private final boolean asPostgresUser;
  private boolean frozen;

  private PostgresProcess(Path dir, Path bin, int port, boolean asPostgresUser) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /** Creates and starts a fresh server; fails saying what is missing when it cannot. */
  public static PostgresProcess start() {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    PostgresProcess pg;
    try {
      Path dir = Files.createTempDirectory("fletch-pg");
      pg = new PostgresProcess(dir, bin, RedisServer.freePort(), root);
      if (root) {
        run(List.of("chown", "postgres", dir.toString()), 30);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare a PostgreSQL folder: " + e.getMessage(), e);
    }
    try {
      pg.pgRun(
          List.of(
              bin.resolve("initdb").toString(),
              "-D",
              pg.data().toString(),
              "-A",
              "trust",
              "-U",
              "postgres",
              "-E",
              "UTF8",
              "--locale=C",
              "--no-sync"),
          120);
      pg.startServer();
      return pg;
    } catch (RuntimeException e) {
      pg.close();
      throw e;
    }
  }

  /** A JDBC URL of the database {@code postgres} as user {@code postgres}, plus {@code params}. */
  public String jdbcUrl(String params) {
    String base = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    return params == null || params.isEmpty() ? base : base + "&" + params;
  }

  public int port() {
    return port;
  }

  /**
   * Freezes the server as a hung machine would (SIGSTOP to the postmaster and all its processes):
   * connections stay open, nothing answers.
   */
  public synchronized void freeze() {
    signal("STOP");
    frozen = true;
  }

  /** Lets a frozen server go on (SIGCONT). */
  public synchronized void thaw() {
    signal("CONT");
    frozen = false;
  }

  private void signal(String signal) {
    long pid = postmasterPid();
    List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal, Long.toString(pid)));
    ProcessHandle.of(pid)
        .ifPresent(p -> p.descendants().forEach(d -> cmd.add(Long.toString(d.pid()))));
    run(cmd, 10);
  }

  private long postmasterPid() {
    try {
      String first = Files.readAllLines(data().resolve("postmaster.pid")).get(0).trim();
      return Long.parseLong(first);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("PostgreSQL on port " + port + " is not running", e);
    }
  }

  private Path data() {
    return dir.resolve("data");
  }

  private void startServer() {
    pgRun(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data().toString(),
            "-l",
            dir.resolve("server.log").toString(),
            "-w",
            "-t",
            "60",
            "-o",
            "-p "
                + port
                + " -k "
                + dir
                + " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            "start"),
        90);
  }

  @Override
  public synchronized void close() {
    try {
      if (frozen) {
        thaw();
      }
      if (Files.exists(data().resolve("postmaster.pid"))) {
        pgRun(
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                data().toString(),
                "-m",
                "immediate",
                "stop"),
            60);
      }
    } catch (RuntimeException e) {
      // best effort at test shutdown; the folder goes below either way
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind
    }
  }

  private void pgRun(List<String> cmd, int timeoutSeconds) {
    List<String> full = new ArrayList<>();
    if (asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(cmd);
    run(full, timeoutSeconds);
  }

  private static String run(List<String> cmd, int timeoutSeconds) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      // pg_ctl start leaves the server holding its own output file, not this pipe.
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(cmd + " did not finish in " + timeoutSeconds + " s");
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(cmd + " failed (" + p.exitValue() + "): " + text);
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + cmd + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + cmd, e);
    }
  }

  /** The folder of initdb and pg_ctl: on the PATH, else the newest /usr/lib/postgresql/N/bin. */
  private static Path binaries() {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(d, "initdb")) && Files.isExecutable(Path.of(d, "pg_ctl"))) {
        return Path.of(d).toAbsolutePath();
      }
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        Path best =
            versions
                .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                .max(
                    Comparator.comparingInt(
                        v -> {
                          try {
                            return Integer.parseInt(v.getFileName().toString());
                          } catch (NumberFormatException e) {
                            return 0;
                          }
                        }))
                .orElse(null);
        if (best != null) {
          return best.resolve("bin");
        }
      } catch (IOException ignored) {
        // fall through to the message below
      }
    }
    throw new IllegalStateException(
        "No PostgreSQL server binaries (initdb, pg_ctl) for a test's own database: install them"
            + " (apt-get install -y postgresql)");
  }
}
