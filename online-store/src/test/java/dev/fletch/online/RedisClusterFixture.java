package dev.fletch.online;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A three-primary Redis Cluster (optionally with replicas) of redis-server processes on free ports,
 * for the cluster ITs. Needs redis-server and redis-cli on the PATH (as the other Redis tests do).
 */
final class RedisClusterFixture implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();

  static RedisClusterFixture start() throws Exception {
    return start(0);
  }

  /** Three primaries, each with this many replicas. */
  static RedisClusterFixture start(int replicasPerPrimary) throws Exception {
    RedisClusterFixture cluster = new RedisClusterFixture();
    try {
      cluster.boot(replicasPerPrimary);
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  private void boot(int replicasPerPrimary) throws Exception {
    Path dir = Files.createTempDirectory("fletch-redis-cluster");
    for (int i = 0; i < 3 * (1 + replicasPerPrimary); i++) {
      int port = freePort();
      ports.add(port);
      Path nodeDir = Files.createDirectories(dir.resolve("n" + port));
      processes.add(
          new ProcessBuilder(
                  "redis-server",
                  "--port",
                  String.valueOf(port),
                  "--bind",
                  "127.0.0.1",
                  "--cluster-enabled",
                  "yes",
                  "--cluster-config-file",
                  "nodes.conf",
                  // A replica takes over a dead primary within a few seconds (default: 15 s).
                  "--cluster-node-timeout",
                  "2000",
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--protected-mode",
                  "no",
                  "--dir",
                  nodeDir.toString())
              .redirectErrorStream(true)
              .redirectOutput(nodeDir.resolve("redis.log").toFile())
              .start());
    }
    for (int port : ports) {
      awaitReply(List.of("redis-cli", "-p", String.valueOf(port), "PING"), "PONG");
    }
    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    ports.forEach(p -> create.add("127.0.0.1:" + p));
    create.addAll(
        List.of("--cluster-replicas", String.valueOf(replicasPerPrimary), "--cluster-yes"));
    Process p = new ProcessBuilder(create).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("redis-cli --cluster create failed: " + out);
    }
    for (int port : ports) {
      awaitReply(
          List.of("redis-cli", "-p", String.valueOf(port), "CLUSTER", "INFO"), "cluster_state:ok");
    }
    if (replicasPerPrimary > 0) {
      // Replicas are listed in the topology and synced before a client may read from them.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        String nodes = commandOn(ports.get(0), "CLUSTER", "NODES");
        long replicas =
            nodes.lines().filter(l -> l.contains("slave") && l.contains("connected")).count();
        boolean synced = true;
        for (int port : ports) {
          String info = commandOn(port, "INFO", "replication");
          if (info.contains("role:slave") && !info.contains("master_link_status:up")) {
            synced = false;
          }
        }
        if (replicas == 3L * replicasPerPrimary && synced) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("replicas did not join and sync: " + nodes);
        }
        Thread.sleep(100);
      }
    }
  }

  String url() {
    return "redis-cluster://127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1);
  }

  /** Kills the node on this port at once (SIGKILL), as a crashed machine would. */
  void kill(int port) throws InterruptedException {
    Process p = processes.get(ports.indexOf(port));
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  /** Every node's port, primaries and replicas. */
  List<Integer> ports() {
    return List.copyOf(ports);
  }

  /** Runs a command on one node, without following redirects. */
  String commandOn(int port, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  /** Runs a command on the node that owns {@code key} (redis-cli follows redirects with -c). */
  String command(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("redis-cli", "-c", "-p", String.valueOf(ports.get(0))));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  private static void awaitReply(List<String> cmd, String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String last = "";
    while (System.nanoTime() < deadline) {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      last = new String(p.getInputStream().readAllBytes());
      p.waitFor(5, TimeUnit.SECONDS);
      if (last.contains(expected)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(cmd + " never answered " + expected + ": " + last);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
