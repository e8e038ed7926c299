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
import dev.fletch.stream.StreamRunner;
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
      List<Source> streamed = streamedSources(repo, sources);
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

  static Path deadLetterFile(Path repoRoot, Source s) {
    return repoRoot.resolve(".fletch").resolve("dead-letters").resolve(s.name() + ".jsonl");
  }

  static Path statusDir(Path repoRoot) {
    return repoRoot.resolve(".fletch").resolve("stream-status");
  }

  /** One ingestor per source, announced on {@code err}; closes what it opened if one fails. */
  static List<StreamIngestor> ingestors(
      CliContext ctx, FeatureRepo repo, List<Source> streamed, PrintStream err) {
    List<StreamIngestor> out = new ArrayList<>();
    try {
      for (Source s : streamed) {
        out.add(
            new StreamIngestor(
                repo,
                s.name(),
                ctx.onlineStore(),
                ctx.offlineStore(),
                new DeadLetters(deadLetterFile(ctx.repoRoot(), s), Clock.systemUTC()),
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
      return out;
    } catch (RuntimeException e) {
      out.forEach(StreamIngestor::close);
      throw e;
    }
  }

  /** The sources of {@code repo} with a stream (all, or those named). */
  static List<Source> streamedSources(FeatureRepo repo, List<String> names) {
    List<Source> streamed = new ArrayList<>();
    if (names != null) {
      for (String name : names) {
        Source s = repo.source(name);
        if (s.stream() == null) {
          throw new InvalidRequestException(
              "source '" + name + "' has no stream: add a 'stream:' block (type: kafka, ...)");
        }
      }
    }
    for (Source s : repo.sources()) {
      if (s.stream() != null && (names == null || names.contains(s.name()))) {
        streamed.add(s);
      }
    }
    return streamed;
  }

  private int run(CliContext ctx, FeatureRepo repo, List<Source> streamed) {
    Duration every = dev.fletch.core.Durations.parse(progressEvery);
    PrintStream err = ctx.err();
    StreamRunner runner =
        new StreamRunner(
            ingestors(ctx, repo, streamed, err),
            once,
            statusDir(ctx.repoRoot()),
            m -> err.println("warning: " + m),
            Clock.systemUTC());
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              runner.close();
              try {
                closed.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "fletch-stream-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      runner.start();
      while (true) {
        try {
          if (runner.awaitDone(every)) {
            break;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        runner.ingestors().forEach(i -> err.println(progressLine(i)));
      }
      runner.ingestors().forEach(i -> ctx.out().println(progressLine(i)));
      if (runner.failure() != null) {
        throw runner.failure();
      }
      return ExitCodes.OK;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it closes the runner
      }
      runner.close();
      closed.countDown();
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
      Path dead = deadLetterFile(ctx.repoRoot(), s);
      long letters = 0;
      if (java.nio.file.Files.isRegularFile(dead)) {
        try (var lines = java.nio.file.Files.lines(dead)) {
          letters = lines.count();
        } catch (java.io.IOException e) {
          letters = -1;
        }
      }
      Path statusFile = StreamRunner.statusFile(statusDir(ctx.repoRoot()), s.name());
      if (java.nio.file.Files.isRegularFile(statusFile)) {
        try {
          var node =
              new com.fasterxml.jackson.databind.ObjectMapper().readTree(statusFile.toFile());
          out.println(
              "  last report of '"
                  + s.name()
                  + "' ("
                  + (node.path("running").asBoolean() ? "running" : "stopped")
                  + ", "
                  + node.path("updated").asText()
                  + "): "
                  + node.path("messages").asLong()
                  + " messages, "
                  + node.path("applied_online").asLong()
                  + " applied online, freshness "
                  + node.path("freshness_ms").asLong()
                  + " ms"
                  + (node.has("last_error")
                      ? ", last error: " + node.path("last_error").asText()
                      : ""));
        } catch (java.io.IOException e) {
          out.println("  last report of '" + s.name() + "': unreadable (" + e.getMessage() + ")");
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
