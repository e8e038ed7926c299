package dev.fletch.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Redis for tests. {@link #shared()} is, in order: the server at {@code
 * FLETCH_TEST_REDIS_URL}, a {@code redis-server} process started on a free port, or a
 * Testcontainers container where Docker works; otherwise it fails with a message that says how to
 * get one. {@link #dedicated()} always starts a process (or container) of its own, which a fault
 * test may {@link #stop()} and {@link #start()}.
 */
public final class RedisServer implements AutoCloseable {
  public static final String URL_ENV = "FLETCH_TEST_REDIS_URL";

  private static RedisServer shared;

  private final String host;
  private final int port;
  private final boolean owned;
  private final Path dir;
  private Process process;
  private AutoCloseable container;

  private RedisServer(String host, int port, boolean owned, Path dir) {
    this.host = host;
    this.port = port;
    this.owned = owned;
    this.dir = dir;
  }

  /**
   * One Redis for the whole test JVM; never stopped by tests. Flush what you write, or use unique
   * keys.
   */
  public static synchronized RedisServer shared() {
    if (shared == null) {
      String url = System.getenv(URL_ENV);
      if (url != null && !url.isBlank()) {
        URI uri = URI.create(url.trim());
        shared =
            new RedisServer(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379, false, null);
        shared.awaitPing(Duration.ofSeconds(5));
      } else {
        shared = dedicated();
        Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
      }
    }
    return shared;
  }

  /**
   * A Redis of the caller's own (a process, or a container where Docker works). Close it after use.
   */
  public static RedisServer dedicated() {
    if (redisServerBinary() != null) {
      try {
        RedisServer server =
            new RedisServer(
                "127.0.0.1", freePort(), true, Files.createTempDirectory("fletch-redis"));
        server.start();
        return server;
      } catch (IOException e) {
        throw new IllegalStateException("could not start redis-server: " + e.getMessage(), e);
      }
    }
    RedisServer fromDocker = Containers.redis();
    if (fromDocker != null) {
      return fromDocker;
    }
    throw new IllegalStateException(
        "No Redis for the integration tests: set "
            + URL_ENV
            + "=redis://host:port, or install redis-server (apt-get install -y redis-server), "
            + "or run a Docker engine for Testcontainers.");
  }

  static RedisServer ofContainer(String host, int port, AutoCloseable container) {
    RedisServer server = new RedisServer(host, port, true, null);
    server.container = container;
    return server;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://" + host + ":" + port;
  }

  /** The process id of this Redis when it is a process of the test's own and running. */
  public synchronized java.util.OptionalLong pid() {
    return process != null && process.isAlive()
        ? java.util.OptionalLong.of(process.pid())
        : java.util.OptionalLong.empty();
  }

  /** Whether this server can be stopped and started by the test (not an external one). */
  public boolean isOwned() {
    return owned && process != null || container != null;
  }

  /** Starts (or restarts, on the same port) an owned redis-server process. */
  public synchronized void start() {
    if (!owned || dir == null) {
      throw new IllegalStateException("this Redis is not a process of the test's own");
    }
    if (process != null && process.isAlive()) {
      return;
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(redisServerBinary());
    cmd.addAll(
        List.of(
            "--port", String.valueOf(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", dir.toString(),
            "--protected-mode", "no"));
    try {
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("redis.log").toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start redis-server: " + e.getMessage(), e);
    }
    awaitPing(Duration.ofSeconds(10));
  }

  /** Stops an owned redis-server process (its data is lost: nothing is persisted). */
  public synchronized void stop() {
    if (process == null) {
      throw new IllegalStateException("this Redis is not a process of the test's own");
    }
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends FLUSHALL. */
  public void flushAll() {
    command("FLUSHALL");
  }

  /**
   * Sends one inline command and returns the raw first reply line (for fixtures, not for the code
   * under test).
   */
  public String command(String inline) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    } catch (IOException e) {
      throw new IllegalStateException("Redis at " + host + ":" + port + " did not answer: " + e, e);
    }
  }

  private void awaitPing(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    IllegalStateException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if ("+PONG".equals(command("PING"))) {
          return;
        }
      } catch (IllegalStateException e) {
        last = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException("Redis at " + host + ":" + port + " did not answer PING", last);
  }

  @Override
  public synchronized void close() {
    if (process != null && process.isAlive()) {
      stop();
    }
    if (container != null) {
      try {
        container.close();
      } catch (Exception ignored) {
        // best effort at test shutdown
      }
      container = null;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  private static String redisServerBinary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin").split(":")) {
      Path p = Path.of(dir, "redis-server");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }
}
