package dev.fletch.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A three-primary Redis Cluster (optionally with replicas) of redis-server processes on free ports,
 * for the cluster ITs; a test may kill a node and start it again. Needs redis-server and redis-cli
 * on the PATH (as the other Redis tests do). Nodes persist nothing: a restarted node keeps its
 * place in the cluster (its nodes.conf) but not its data.
 */
public final class RedisCluster implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private Path dir;

  public static RedisCluster start() throws Exception {
    return start(0);
  }

  /** Three primaries, each with this many replicas. */
  public static RedisCluster start(int replicasPerPrimary) throws Exception {
    RedisCluster cluster = new RedisCluster();
    try {
      cluster.boot(replicasPerPrimary);
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  private void boot(int replicasPerPrimary) throws Exception {
    dir = Files.createTempDirectory("fletch-redis-cluster");
    for (int i = 0; i < 3 * (1 + replicasPerPrimary); i++) {
      int port = freePort();
      ports.add(port);
      processes.add(launch(port));
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

  /** One redis-server of the cluster on {@code port}, in its own folder (kept across restarts). */
  private Process launch(int port) throws IOException {
    Path nodeDir = Files.createDirectories(dir.resolve("n" + port));
    return new ProcessBuilder(
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
        .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile()))
        .start();
  }

  public String url() {
    return "redis-cluster://127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1);
  }

  /** Kills the node on this port at once (SIGKILL), as a crashed machine would. */
  public synchronized void kill(int port) throws InterruptedException {
    Process p = processes.get(ports.indexOf(port));
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * Starts a killed node again on its port, with its cluster configuration (its place and slots)
   * but none of its data; returns once it answers PING.
   */
  public synchronized void restart(int port) throws Exception {
    int i = ports.indexOf(port);
    if (processes.get(i).isAlive()) {
      throw new IllegalStateException("the node on port " + port + " is running");
    }
    processes.set(i, launch(port));
    awaitReply(List.of("redis-cli", "-p", String.valueOf(port), "PING"), "PONG");
  }

  /** The ports of the primaries that serve slots now (by CLUSTER NODES on a live node). */
  public List<Integer> primaries() throws Exception {
    List<Integer> out = new ArrayList<>();
    for (int port : ports) {
      if (!processes.get(ports.indexOf(port)).isAlive()) {
        continue;
      }
      for (String line : commandOn(port, "CLUSTER", "NODES").split("\\R")) {
        String[] f = line.split(" ");
        if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail")) {
          String address = f[1].substring(0, f[1].indexOf('@'));
          out.add(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
        }
      }
      return out;
    }
    return out;
  }

  /** Every node's port, primaries and replicas. */
  public List<Integer> ports() {
    return List.copyOf(ports);
  }

  /** Runs a command on one node, without following redirects. */
  public String commandOn(int port, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  /** Runs a command on the node that owns {@code key} (redis-cli follows redirects with -c). */
  public String command(String... args) throws Exception {
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
  public synchronized void close() {
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
