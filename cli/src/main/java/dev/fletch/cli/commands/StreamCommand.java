package dev.fletch.cli.commands;

import dev.fletch.cli.AppliedDefinitions;
import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.Source;
import dev.fletch.stream.DeadLetters;
import dev.fletch.stream.StreamIngestor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fletch stream}: consumes the Kafka topic of every source with a {@code stream:} block (or
 * --sources) into the online store and the sources' push logs, until stopped (Ctrl-C) or, with
 * --once, until it has caught up. {@code --status} prints each stream's committed offsets and lag
 * per partition and its dead letters.
 */
@Command(
    name = "stream",
    description = {
      "Consume the Kafka topics of sources with a 'stream:' block into the online store (plain views"
          + " under the never-older rule, aggregated views' streamed tiles) and the sources'"
          + " push_log folders, committing offsets after the writes. Runs until Ctrl-C; --once"
          + " stops when caught up; --status shows offsets and lag."
    },
    sortOptions = false)
public final class StreamCommand implements java.util.concurrent.Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--sources",
      split = ",",
      paramLabel = "SOURCES",
      description = "Comma-separated sources (default: every source with a stream).")
  List<String> sources;

  @Option(
      names = "--project",
      paramLabel = "NAME",
      description = "Project whose applied definitions to use (default: the local YAML's project).")
  String project;

  @Option(names = "--once", description = "Stop when every partition is caught up (lag 0).")
  boolean once;

  @Option(
      names = "--status",
      description = "Print each stream's committed offsets, lag per partition and dead letters.")
  boolean status;

  @Option(
      names = "--progress-every",
      paramLabel = "DURATION",
      defaultValue = "5s",
      description = "How often to print progress (default: 5s).")
  String progressEvery;

  @Override
  public Integer call() {
    try (CliContext ctx = common.newContext()) {
      FeatureRepo repo = AppliedDefinitions.load(ctx, project);
      List<Source> streamed = new ArrayList<>();
      for (Source s : repo.sources()) {
        if (s.stream() != null && (sources == null || sources.contains(s.name()))) {
          streamed.add(s);
        }
      }
      if (sources != null) {
        for (String name : sources) {
          Source s = repo.source(name);
          if (s.stream() == null) {
            throw new InvalidRequestException(
                "source '" + name + "' has no stream: add a 'stream:' block (type: kafka, ...)");
          }
        }
      }
      if (streamed.isEmpty()) {
        throw new InvalidRequestException(
            "no source of project '"
                + repo.project()
                + "' has a stream: add a 'stream:' block (type: kafka, bootstrap_servers, topic) to"
                + " a source");
      }
      if (status) {
        return printStatus(ctx, repo, streamed);
      }
      return run(ctx, repo, streamed);
    }
  }

  private Path deadLetterFile(CliContext ctx, Source s) {
    return ctx.repoRoot().resolve(".fletch").resolve("dead-letters").resolve(s.name() + ".jsonl");
  }

  private int run(CliContext ctx, FeatureRepo repo, List<Source> streamed) {
    Duration every = dev.fletch.core.Durations.parse(progressEvery);
    PrintStream err = ctx.err();
    List<StreamIngestor> ingestors = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    try {
      for (Source s : streamed) {
        ingestors.add(
            new StreamIngestor(
                repo,
                s.name(),
                ctx.onlineStore(),
                ctx.offlineStore(),
                new DeadLetters(deadLetterFile(ctx, s), Clock.systemUTC()),
                Clock.systemUTC(),
                StreamIngestor.Options.defaults()));
        err.println(
            "streaming "
                + s.stream().topic()
                + " ("
                + s.stream().bootstrapServers()
                + ") -> source '"
                + s.name()
                + "', group "
                + StreamIngestor.groupId(repo, s)
                + ", into "
                + ctx.onlineStore().describe()
                + (s.pushLog() == null ? "" : " and " + s.pushLog()));
      }
      CountDownLatch done = new CountDownLatch(ingestors.size());
      Thread hook =
          new Thread(
              () -> {
                stop.set(true);
                ingestors.forEach(StreamIngestor::wakeup);
                try {
                  done.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "fletch-stream-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      List<Thread> threads = new ArrayList<>();
      for (StreamIngestor ingestor : ingestors) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    consume(ingestor, stop, err);
                  } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                    stop.set(true);
                  } finally {
                    done.countDown();
                  }
                },
                "fletch-stream-" + ingestor.source().name());
        threads.add(t);
        t.start();
      }
      long next = System.nanoTime() + every.toNanos();
      while (done.getCount() > 0) {
        try {
          done.await(Math.max(1, next - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        if (System.nanoTime() >= next) {
          ingestors.forEach(i -> err.println(progressLine(i)));
          next = System.nanoTime() + every.toNanos();
        }
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it waits for us
      }
      for (Thread t : threads) {
        try {
          t.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      ingestors.forEach(i -> ctx.out().println(progressLine(i)));
      if (failure.get() != null) {
        throw failure.get();
      }
      return ExitCodes.OK;
    } finally {
      for (StreamIngestor i : ingestors) {
        try {
          i.close();
        } catch (RuntimeException e) {
          err.println("warning: " + e.getMessage());
        }
      }
    }
  }

  /**
   * Polls until stopped (or caught up with --once). A failed batch is retried after a pause that
   * grows to 30 s: a dead store or broker stops the stream from advancing, never corrupts it.
   */
  private void consume(StreamIngestor ingestor, AtomicBoolean stop, PrintStream err) {
    long backoff = 100;
    boolean polledOnce = false;
    while (!stop.get()) {
      try {
        int n = ingestor.pollOnce();
        backoff = 100;
        polledOnce = true;
        if (once && n == 0 && caughtUp(ingestor)) {
          return;
        }
      } catch (org.apache.kafka.common.errors.WakeupException e) {
        return;
      } catch (RuntimeException e) {
        err.println(
            "warning: stream of '"
                + ingestor.source().name()
                + "': a batch failed and will be retried: "
                + MaterializeCommand.oneLine(e.getMessage()));
        sleep(backoff);
        backoff = Math.min(30_000, backoff * 2);
      }
    }
    if (!polledOnce) {
      err.println("stream of '" + ingestor.source().name() + "' stopped before its first poll");
    }
  }

  private static boolean caughtUp(StreamIngestor ingestor) {
    Map<Integer, Long> lag = ingestor.stats().lag();
    return !lag.isEmpty() && lag.values().stream().allMatch(l -> l == 0);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String progressLine(StreamIngestor ingestor) {
    StreamIngestor.Stats s = ingestor.stats();
    return String.format(
        "%s: %,d messages, %,d applied online, %,d late, %,d already applied, %,d logged, %,d"
            + " dead letters, lag %s, freshness %s%s",
        ingestor.source().name(),
        s.messages(),
        s.appliedOnline(),
        s.late(),
        s.duplicates(),
        s.loggedRows(),
        s.deadLetters(),
        s.lag().isEmpty() ? "-" : s.lag(),
        s.lastFreshness().toMillis() + " ms",
        s.lastError() == null ? "" : ", last error: " + MaterializeCommand.oneLine(s.lastError()));
  }

  private int printStatus(CliContext ctx, FeatureRepo repo, List<Source> streamed) {
    PrintStream out = ctx.out();
    out.println(
        String.format(
            "%-20s %-24s %-9s %12s %12s %8s",
            "SOURCE", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG"));
    for (Source s : streamed) {
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.stream().bootstrapServers());
      p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
      p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
      try (Admin admin = Admin.create(p)) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(StreamIngestor.groupId(repo, s))
                .partitionsToOffsetAndMetadata()
                .get(15, TimeUnit.SECONDS);
        var description =
            admin
                .describeTopics(List.of(s.stream().topic()))
                .allTopicNames()
                .get(15, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        description
            .get(s.stream().topic())
            .partitions()
            .forEach(
                info ->
                    latest.put(
                        new TopicPartition(s.stream().topic(), info.partition()),
                        OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
            admin.listOffsets(latest).all().get(15, TimeUnit.SECONDS);
        List<TopicPartition> parts = new ArrayList<>(ends.keySet());
        parts.sort(java.util.Comparator.comparingInt(TopicPartition::partition));
        for (TopicPartition tp : parts) {
          long end = ends.get(tp).offset();
          OffsetAndMetadata at = committed.get(tp);
          out.println(
              String.format(
                  "%-20s %-24s %-9d %12s %12d %8d",
                  s.name(),
                  tp.topic(),
                  tp.partition(),
                  at == null ? "-" : Long.toString(at.offset()),
                  end,
                  end - (at == null ? 0 : at.offset())));
        }
      } catch (Exception e) {
        throw new dev.fletch.core.UnavailableException(
            "cannot read the status of stream '"
                + s.name()
                + "' from "
                + s.stream().bootstrapServers()
                + ": "
                + MaterializeCommand.oneLine(String.valueOf(e.getMessage())),
            e);
      }
      Path dead = deadLetterFile(ctx, s);
      long letters = 0;
      if (java.nio.file.Files.isRegularFile(dead)) {
        try (var lines = java.nio.file.Files.lines(dead)) {
          letters = lines.count();
        } catch (java.io.IOException e) {
          letters = -1;
        }
      }
      out.println(
          "  dead letters of '"
              + s.name()
              + "': "
              + (letters < 0 ? "unreadable" : letters)
              + (letters > 0 ? " (" + ctx.repoRoot().relativize(dead) + ")" : ""));
    }
    return ExitCodes.OK;
  }
}
