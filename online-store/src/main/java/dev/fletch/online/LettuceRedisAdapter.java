package dev.fletch.online;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * {@link RedisAdapter} over Lettuce with manual flushing, on event loops of its own that it offers
 * to a server ({@link #ioThreads()}): on a standalone server one connection per loop, a command
 * going out on the connection of the loop that issues it (else the first); on a cluster one
 * connection. Connection options make a dead Redis fail fast: commands are rejected while
 * disconnected, time out after the URL's {@code timeout} (default 5 s), and the client reconnects
 * within a second of the server coming back.
 */
final class LettuceRedisAdapter implements RedisAdapter {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final boolean COALESCE_FLUSHES =
      !"false".equalsIgnoreCase(System.getProperty("fletch.redis.coalesceFlushes"));

  private static final byte[] SCRIPT = loadScript("upsert.lua");
  private static final String SCRIPT_SHA = sha1Hex(SCRIPT);
  private static final byte[] REPLACE_SCRIPT = loadScript("replace.lua");
  private static final String REPLACE_SHA = sha1Hex(REPLACE_SCRIPT);

  private final ClientResources resources;
  private final EventLoopGroup loops;
  private final IoThreads ioThreads;
  private final AutoCloseable client;
  private final Lane[] lanes;
  private final String description;
  private final boolean cluster;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * One connection and the event loop thread it lives on. A command issued on that thread goes out
   * on that thread, and its reply is handled there: no hand-off between threads.
   */
  static final class Lane {
    /** Flush retries after Lettuce's cluster race (below), 1 ms apart. */
    static final int FLUSH_RETRIES = 100;

    final StatefulConnection<byte[], byte[]> connection;
    final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final ScheduledExecutorService retries;

    /**
     * The thread that last completed one of this connection's replies; after a reconnect the
     * channel may live on another loop, and the next reply moves it.
     */
    volatile Thread thread;

    /** Whether a flush is queued on the loop (touched only on the loop thread). */
    boolean flushQueued;

    final Runnable queuedFlush =
        () -> {
          flushQueued = false;
          flushNow();
        };

    void flushNow() {
      flush(FLUSH_RETRIES);
    }

    /**
     * Sends the queued commands. A cluster connection's flush walks its node connections, and
     * Lettuce can throw NullPointerException when one of them is being opened meanwhile
     * (lettuce#1301; seen here on the first write after connecting, and possible after a failover).
     * The commands are queued on their node connections by then, so the flush is tried again a
     * millisecond later rather than failing the caller's command or leaving it unsent.
     */
    private void flush(int retriesLeft) {
      try {
        connection.flushCommands();
      } catch (NullPointerException racedWithANodeConnection) {
        if (retriesLeft == 0) {
          // The queued commands now wait for their timeout and fail with it.
          LoggerFactory.getLogger(LettuceRedisAdapter.class)
              .warn("cannot flush Redis commands: {}", racedWithANodeConnection.toString());
          return;
        }
        retries.schedule(() -> flush(retriesLeft - 1), 1, TimeUnit.MILLISECONDS);
      }
    }

    Lane(
        StatefulConnection<byte[], byte[]> connection,
        RedisClusterAsyncCommands<byte[], byte[]> commands,
        ScheduledExecutorService retries) {
      this.connection = connection;
      this.commands = commands;
      this.retries = retries;
      connection.setAutoFlushCommands(false);
    }
  }

  private LettuceRedisAdapter(
      ClientResources resources,
      EventLoopGroup loops,
      IoThreads ioThreads,
      AutoCloseable client,
      List<Lane> lanes,
      String description,
      boolean cluster) {
    this.cluster = cluster;
    this.resources = resources;
    this.loops = loops;
    this.ioThreads = ioThreads;
    this.client = client;
    this.lanes = lanes.toArray(Lane[]::new);
    this.description = description;
  }

  /**
   * The connection to use from the calling thread: the one living on it when the caller is one of
   * the event loops, else the first. Commands and their flush come from the same thread, so they
   * meet on the same connection.
   */
  private Lane lane() {
    Thread current = Thread.currentThread();
    for (Lane lane : lanes) {
      if (lane.thread == current) {
        return lane;
      }
    }
    return lanes[0];
  }

  /**
   * Connects to {@code redis://}, {@code rediss://}, {@code redis-cluster://} or {@code
   * rediss-cluster://}.
   */
  static LettuceRedisAdapter connect(String url) {
    requireNonNull(url, "url is null");
    RedisUrl parsed = RedisUrl.parse(url);
    int threads = ioThreadCount();
    IoThreads io = IoThreads.create("fletch-io", threads);
    EventLoopGroup loops = io.group();
    ClientResources resources =
        DefaultClientResources.builder()
            .eventLoopGroupProvider(new SharedLoops(loops, threads))
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();
    SocketOptions socket = SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build();
    Duration timeout = parsed.uris().get(0).getTimeout();
    TimeoutOptions timeouts = TimeoutOptions.enabled(timeout);
    try {
      if (parsed.cluster()) {
        RedisClusterClient client = RedisClusterClient.create(resources, parsed.uris());
        client.setOptions(
            ClusterClientOptions.builder()
                .socketOptions(socket)
                .timeoutOptions(timeouts)
                // Node connections open lazily, on a node's first command: rejecting commands while
                // disconnected would reject those first commands. The command timeout bounds the
                // wait.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                // Follow the cluster as it changes (failover, resharding, replicas added): at
                // once on MOVED/ASK redirects and repeated reconnects, and every minute anyway.
                .topologyRefreshOptions(
                    ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        .enablePeriodicRefresh(Duration.ofSeconds(60))
                        .build())
                .build());
        try {
          StatefulRedisClusterConnection<byte[], byte[]> conn =
              client.connect(ByteArrayCodec.INSTANCE);
          if (parsed.readFrom() != null) {
            // Reads (HMGET) go to replicas as asked; writes (the upsert script) always go to
            // the primary that owns the slot.
            conn.setReadFrom(parsed.readFrom());
          }
          return new LettuceRedisAdapter(
              resources,
              loops,
              io,
              client::shutdown,
              List.of(new Lane(conn, conn.async(), loops)),
              parsed.describe(),
              true);
        } catch (RuntimeException e) {
          client.shutdown();
          throw e;
        }
      }
      RedisClient client = RedisClient.create(resources);
      client.setOptions(
          ClientOptions.builder()
              .socketOptions(socket)
              .timeoutOptions(timeouts)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .build());
      List<Lane> lanes = new ArrayList<>(threads);
      try {
        // One connection per event loop (Netty hands new channels to the loops in turn); each
        // learns its loop thread from its first reply.
        for (int i = 0; i < threads; i++) {
          StatefulRedisConnection<byte[], byte[]> conn =
              client.connect(ByteArrayCodec.INSTANCE, parsed.uris().get(0));
          lanes.add(new Lane(conn, conn.async(), loops));
        }
        List<CompletableFuture<String>> pings = new ArrayList<>(lanes.size());
        for (Lane lane : lanes) {
          pings.add(
              lane.commands
                  .ping()
                  .toCompletableFuture()
                  .whenComplete((ok, e) -> lane.thread = Thread.currentThread()));
          lane.flushNow();
        }
        CompletableFuture.allOf(pings.toArray(CompletableFuture<?>[]::new))
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return new LettuceRedisAdapter(
            resources, loops, io, client::shutdown, lanes, parsed.describe(), false);
      } catch (Exception e) {
        for (Lane lane : lanes) {
          lane.connection.close();
        }
        client.shutdown();
        throw e instanceof RuntimeException re ? re : new CompletionException(e);
      }
    } catch (RuntimeException e) {
      resources.shutdown();
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw RedisErrors.map("cannot connect to " + parsed.describe(), e);
    }
  }

  /**
   * Event loop threads (and, on a standalone server, connections): {@code -Dfletch.io.threads=N},
   * else one per core.
   */
  static int ioThreadCount() {
    return Math.max(
        1, Integer.getInteger("fletch.io.threads", Runtime.getRuntime().availableProcessors()));
  }

  /** Hands Lettuce the adapter's own event loops; the adapter shuts them down itself. */
  private record SharedLoops(EventLoopGroup loops, int threads) implements EventLoopGroupProvider {
    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
      return (T) loops;
    }

    @Override
    public int threadPoolSize() {
      return threads;
    }

    @Override
    public Future<Boolean> release(
        EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
  }

  @Override
  public Optional<IoThreads> ioThreads() {
    return Optional.of(ioThreads);
  }

  @Override
  public CompletableFuture<Void> ping() {
    if (cluster) {
      // The cluster connection's own PING reaches one node: a dead primary would go unnoticed
      // while every read of its slots fails. Ask each primary instead.
      return CompletableFuture.allOf(
          onEachPrimary(c -> c.ping().toCompletableFuture())
              .values()
              .toArray(CompletableFuture<?>[]::new));
    }
    CompletableFuture<?>[] replies = new CompletableFuture<?>[lanes.length];
    for (int i = 0; i < lanes.length; i++) {
      replies[i] = lanes[i].commands.ping().toCompletableFuture();
      lanes[i].flushNow();
    }
    return CompletableFuture.allOf(replies);
  }

  @Override
  public CompletableFuture<java.util.Map<String, String>> clusterStates() {
    if (!cluster) {
      return CompletableFuture.completedFuture(java.util.Map.of());
    }
    java.util.Map<String, CompletableFuture<String>> states = new java.util.TreeMap<>();
    onEachPrimary(c -> c.clusterInfo().toCompletableFuture())
        .forEach(
            (node, info) ->
                states.put(
                    node,
                    info.handle(
                        (text, e) ->
                            e == null
                                ? clusterState(text)
                                : "unreachable (" + RedisErrors.map(node, e).getMessage() + ")")));
    return CompletableFuture.allOf(states.values().toArray(CompletableFuture<?>[]::new))
        .thenApply(
            ok -> {
              java.util.Map<String, String> out = new java.util.TreeMap<>();
              states.forEach((node, state) -> out.put(node, state.join()));
              return out;
            });
  }

  /** The {@code cluster_state} field of a CLUSTER INFO reply ("unknown" when absent). */
  static String clusterState(String info) {
    for (String line : info.split("\\R")) {
      if (line.startsWith("cluster_state:")) {
        return line.substring("cluster_state:".length()).trim();
      }
    }
    return "unknown";
  }

  /**
   * Sends a command to every primary that serves slots (as the client's topology knows them),
   * through the cluster's own node connections: the reply of each by {@code host:port}.
   */
  private <T> java.util.Map<String, CompletableFuture<T>> onEachPrimary(
      java.util.function.Function<
              io.lettuce.core.api.async.RedisAsyncCommands<byte[], byte[]>, CompletableFuture<T>>
          command) {
    @SuppressWarnings("unchecked")
    StatefulRedisClusterConnection<byte[], byte[]> conn =
        (StatefulRedisClusterConnection<byte[], byte[]>) lanes[0].connection;
    java.util.Map<String, CompletableFuture<T>> replies = new java.util.LinkedHashMap<>();
    for (io.lettuce.core.cluster.models.partitions.RedisClusterNode node : conn.getPartitions()) {
      if (!node.is(io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag.UPSTREAM)
          || node.getSlots().isEmpty()) {
        continue;
      }
      String address = node.getUri().getHost() + ":" + node.getUri().getPort();
      CompletableFuture<T> reply;
      try {
        reply =
            conn.getConnectionAsync(node.getNodeId())
                .thenCompose(
                    nodeConnection -> {
                      CompletableFuture<T> r = command.apply(nodeConnection.async());
                      // Node connections share the cluster connection's manual flushing.
                      nodeConnection.flushCommands();
                      return r;
                    });
      } catch (RuntimeException e) {
        reply = CompletableFuture.failedFuture(e);
      }
      replies.put(
          address,
          reply.exceptionallyCompose(
              e ->
                  CompletableFuture.failedFuture(
                      RedisErrors.map("primary " + address + " of " + description, e))));
    }
    return replies;
  }

  @Override
  public CompletableFuture<List<byte[]>> hmget(byte[] key, byte[][] fields) {
    Lane lane = lane();
    return lane.commands
        .hmget(key, fields)
        .toCompletableFuture()
        .thenApply(
            kvs -> {
              // Replies are handled on the connection's loop: remember it (it moves on reconnect).
              Thread current = Thread.currentThread();
              if (lane.thread != current) {
                lane.thread = current;
              }
              List<byte[]> out = new ArrayList<>(kvs.size());
              for (KeyValue<byte[], byte[]> kv : kvs) {
                out.add(kv.getValueOrElse(null));
              }
              return out;
            });
  }

  @Override
  public CompletableFuture<Long> upsert(
      byte[][] keys, byte[] field, byte[][] entries, long ttlMillis) {
    byte[][] args = new byte[entries.length + 2][];
    args[0] = field;
    args[1] = Long.toString(ttlMillis).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(entries, 0, args, 2, entries.length);
    Lane lane = lane();
    CompletableFuture<Long> first =
        lane.commands
            .<Long>evalsha(SCRIPT_SHA, ScriptOutputType.INTEGER, keys, args)
            .toCompletableFuture();
    // The script cache is empty after a restart or on a new node: EVAL sends the body once and
    // caches it again, so later EVALSHAs succeed.
    return first.exceptionallyCompose(
        e -> {
          if (unwrap(e) instanceof RedisNoScriptException) {
            CompletableFuture<Long> retry =
                lane.commands
                    .<Long>eval(SCRIPT, ScriptOutputType.INTEGER, keys, args)
                    .toCompletableFuture();
            lane.flushNow();
            return retry;
          }
          return CompletableFuture.failedFuture(e);
        });
  }

  @Override
  public CompletableFuture<byte[]> replace(
      byte[][] keys, byte[] field, byte[][] expected, byte[][] entries, long ttlMillis) {
    byte[][] args = new byte[2 + 2 * keys.length][];
    args[0] = field;
    args[1] = Long.toString(ttlMillis).getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < keys.length; i++) {
      args[2 + 2 * i] = expected[i] == null ? new byte[0] : expected[i];
      args[3 + 2 * i] = entries[i];
    }
    Lane lane = lane();
    CompletableFuture<byte[]> first =
        lane.commands
            .<byte[]>evalsha(REPLACE_SHA, ScriptOutputType.VALUE, keys, args)
            .toCompletableFuture();
    return first.exceptionallyCompose(
        e -> {
          if (unwrap(e) instanceof RedisNoScriptException) {
            CompletableFuture<byte[]> retry =
                lane.commands
                    .<byte[]>eval(REPLACE_SCRIPT, ScriptOutputType.VALUE, keys, args)
                    .toCompletableFuture();
            lane.flushNow();
            return retry;
          }
          return CompletableFuture.failedFuture(e);
        });
  }

  @Override
  public boolean cluster() {
    return cluster;
  }

  @Override
  public int slotOf(byte[] key) {
    return cluster ? io.lettuce.core.cluster.SlotHash.getSlot(key) : 0;
  }

  @Override
  public CompletableFuture<byte[]> setIfAbsent(byte[] key, byte[] field, byte[] value) {
    Lane lane = lane();
    // Both go out together; if either fails, so does the answer.
    CompletableFuture<Boolean> set = lane.commands.hsetnx(key, field, value).toCompletableFuture();
    CompletableFuture<byte[]> stored = lane.commands.hget(key, field).toCompletableFuture();
    lane.flushNow();
    return set.thenCombine(stored, (ignored, v) -> v);
  }

  @Override
  public CompletableFuture<Long> hdel(byte[] key, byte[] field) {
    return lane().commands.hdel(key, field).toCompletableFuture();
  }

  @Override
  public CompletableFuture<ScanPage> scan(ScanPage previous, String pattern, int count) {
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(count);
    RedisClusterAsyncCommands<byte[], byte[]> commands = lane().commands;
    CompletableFuture<KeyScanCursor<byte[]>> f =
        previous == null
            ? commands.scan(args).toCompletableFuture()
            : commands.scan(((Page) previous).cursor, args).toCompletableFuture();
    return f.thenApply(Page::new);
  }

  private record Page(KeyScanCursor<byte[]> cursor) implements ScanPage {
    @Override
    public List<byte[]> keys() {
      return cursor.getKeys();
    }

    @Override
    public boolean finished() {
      return cursor.isFinished();
    }
  }

  /**
   * On a connection's own loop thread, the flush is queued behind the loop's current batch of
   * reads: every command issued while handling that batch (say, the calls of several requests that
   * arrived together) goes out in one write, and Redis reads them in one go. The loop runs queued
   * tasks right after the reads, so nothing waits for more input. From any other thread, commands
   * go out at once.
   */
  @Override
  public void flush() {
    Lane lane = lane();
    if (COALESCE_FLUSHES && lane.thread == Thread.currentThread()) {
      EventExecutor loop = ThreadExecutorMap.currentExecutor();
      if (loop != null) {
        if (!lane.flushQueued) {
          lane.flushQueued = true;
          loop.execute(lane.queuedFlush);
        }
        return;
      }
    }
    lane.flushNow();
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      for (Lane lane : lanes) {
        lane.connection.close();
      }
      client.close();
    } catch (Exception e) {
      // closing is best effort: the process is letting go of the store
    } finally {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      loops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
  }

  static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static byte[] loadScript(String name) {
    try (InputStream in = LettuceRedisAdapter.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new FletchException("cannot read " + name, e);
    }
  }

  private static String sha1Hex(byte[] data) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is always available", e);
    }
  }

  /**
   * A parsed online-store URL: the node URIs, whether it is a cluster, and a password-free
   * description.
   */
  record RedisUrl(List<RedisURI> uris, boolean cluster, String describe, ReadFrom readFrom) {

    /** The {@code read_from} values a cluster URL may give, and what Lettuce does with each. */
    private static final java.util.Map<String, ReadFrom> READ_FROM =
        java.util.Map.of(
            "primary", ReadFrom.UPSTREAM,
            "primary_preferred", ReadFrom.UPSTREAM_PREFERRED,
            "replica", ReadFrom.REPLICA,
            "replica_preferred", ReadFrom.REPLICA_PREFERRED,
            "any", ReadFrom.ANY);

    static RedisUrl parse(String url) {
      String text = url.trim();
      int schemeEnd = text.indexOf("://");
      if (schemeEnd < 0) {
        throw bad("expected redis://, rediss://, redis-cluster:// or rediss-cluster://");
      }
      String scheme = text.substring(0, schemeEnd).toLowerCase(java.util.Locale.ROOT);
      String rest = text.substring(schemeEnd + 3);
      boolean cluster = scheme.endsWith("-cluster");
      String base = cluster ? scheme.substring(0, scheme.length() - "-cluster".length()) : scheme;
      if (!base.equals("redis") && !base.equals("rediss")) {
        throw bad("unknown scheme '" + scheme + "'");
      }
      String query = "";
      ReadFrom readFrom = null;
      String readFromName = null;
      int q = rest.indexOf('?');
      if (q >= 0) {
        // read_from is Fletch's; the other parameters (timeout=...) are Lettuce's.
        List<String> kept = new ArrayList<>();
        for (String param : rest.substring(q + 1).split("&")) {
          if (param.startsWith("read_from=")) {
            String value = param.substring("read_from=".length());
            readFrom = READ_FROM.get(value);
            readFromName = value;
            if (readFrom == null) {
              throw bad(
                  "read_from="
                      + value
                      + " is not one of "
                      + new java.util.TreeSet<>(READ_FROM.keySet()));
            }
          } else if (!param.isEmpty()) {
            kept.add(param);
          }
        }
        query = kept.isEmpty() ? "" : "?" + String.join("&", kept);
        rest = rest.substring(0, q);
      }
      if (readFrom != null && !cluster) {
        throw bad("read_from needs a redis-cluster:// URL (replicas are read through the cluster)");
      }
      String userInfo = "";
      int at = rest.lastIndexOf('@');
      if (at >= 0) {
        userInfo = rest.substring(0, at + 1);
        rest = rest.substring(at + 1);
      }
      String path = "";
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        path = rest.substring(slash);
        rest = rest.substring(0, slash);
      }
      if (rest.isBlank()) {
        throw bad("no host");
      }
      String[] hosts = cluster ? rest.split(",") : new String[] {rest};
      if (!cluster && rest.contains(",")) {
        throw bad("several hosts need redis-cluster://");
      }
      if (cluster && !path.isEmpty() && !path.equals("/")) {
        throw bad("Redis Cluster has no databases; remove '" + path + "'");
      }
      List<RedisURI> uris = new ArrayList<>();
      List<String> described = new ArrayList<>();
      for (String host : hosts) {
        String h = host.trim();
        if (h.isEmpty()) {
          throw bad("empty host in the host list");
        }
        RedisURI uri;
        try {
          uri = RedisURI.create(URI.create(base + "://" + userInfo + h + path + query));
        } catch (RuntimeException e) {
          throw bad(e.getMessage());
        }
        if (!query.contains("timeout=")) {
          uri.setTimeout(DEFAULT_TIMEOUT);
        }
        uris.add(uri);
        described.add(uri.getHost() + ":" + uri.getPort());
      }
      String db = !cluster && uris.get(0).getDatabase() != 0 ? "/" + uris.get(0).getDatabase() : "";
      return new RedisUrl(
          List.copyOf(uris),
          cluster,
          scheme
              + "://"
              + String.join(",", described)
              + db
              + (readFromName == null ? "" : "?read_from=" + readFromName),
          readFrom);
    }

    private static InvalidRequestException bad(String why) {
      // Never echo the URL itself: it may carry a password.
      return new InvalidRequestException("bad online store URL (" + why + ")");
    }
  }
}
