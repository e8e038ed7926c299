package dev.fletch.cli.commands;

import dev.fletch.stream.StreamIngestor;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/** The counters of streams consumed by {@code fletch serve --stream}, in its metrics. */
final class StreamMetrics {
  private StreamMetrics() {}

  static void register(dev.fletch.serving.ServingMetrics metrics, List<StreamIngestor> ingestors) {
    MeterRegistry registry = metrics.registry();
    // Lag per partition: the partitions a consumer holds change with rebalances, so the series
    // are rebuilt from the consumers' state before each scrape.
    io.micrometer.core.instrument.MultiGauge partitionLag =
        io.micrometer.core.instrument.MultiGauge.builder("fletch_stream_partition_lag")
            .description("Messages not yet consumed in one partition held by this server")
            .register(registry);
    metrics.beforeScrape(
        () -> {
          List<io.micrometer.core.instrument.MultiGauge.Row<?>> rows = new java.util.ArrayList<>();
          for (StreamIngestor i : ingestors) {
            i.stats()
                .lag()
                .forEach(
                    (partition, lag) ->
                        rows.add(
                            io.micrometer.core.instrument.MultiGauge.Row.of(
                                io.micrometer.core.instrument.Tags.of(
                                    "source",
                                    i.source().name(),
                                    "partition",
                                    Integer.toString(partition)),
                                lag)));
          }
          partitionLag.register(rows, true);
        });
    for (StreamIngestor i : ingestors) {
      String source = i.source().name();
      FunctionCounter.builder("fletch_stream_messages", i, x -> x.stats().messages())
          .description("Messages consumed from the source's topic")
          .tag("source", source)
          .register(registry);
      FunctionCounter.builder("fletch_stream_applied", i, x -> x.stats().appliedOnline())
          .description("Rows and events written to the online store")
          .tag("source", source)
          .register(registry);
      FunctionCounter.builder("fletch_stream_late", i, x -> x.stats().late())
          .description("Aggregated events too late for the online tiles")
          .tag("source", source)
          .register(registry);
      FunctionCounter.builder("fletch_stream_dead_letters", i, x -> x.stats().deadLetters())
          .description("Messages that did not parse or fit the definition")
          .tag("source", source)
          .register(registry);
      Gauge.builder(
              "fletch_stream_lag",
              i,
              x -> x.stats().lag().values().stream().mapToLong(Long::longValue).sum())
          .description("Messages not yet consumed, over the source's partitions")
          .tag("source", source)
          .register(registry);
      Gauge.builder(
              "fletch_stream_freshness_seconds", i, x -> x.stats().lastFreshness().toNanos() / 1e9)
          .description("Event time to servable of the newest event of the last batch")
          .tag("source", source)
          .register(registry);
    }
  }
}
