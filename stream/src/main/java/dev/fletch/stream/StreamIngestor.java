package dev.fletch.stream;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.ingest.RowShape;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.StreamSpec;
import dev.fletch.core.window.Windows;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.StreamTiles;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one source's Kafka topic ({@code stream:} in its definition) into the online store and
 * the source's push log, the same way the push API writes: each message is one row of the source,
 * checked against every online view of it ({@link RowShape}); a plain view's rows are written under
 * the never-older rule, an aggregated view's events go into its streamed tiles with their
 * (partition, offset), and the rows go to the push log (when the source has one) so that historical
 * retrieval sees what serving saw.
 *
 * <p>Exactly once for counts and sums, whatever stops it: offsets are committed only after every
 * write of a batch landed; a replayed aggregated event is skipped by the offset its entity's stream
 * entry keeps; a replayed log file has the same name (topic, partition, first and last offset) and
 * replaces itself, and offsets already logged are not logged again. A message that does not parse
 * or does not fit the definition goes to the dead-letter file with the reason and never stops the
 * partition.
 */
public final class StreamIngestor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamIngestor.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How to consume.
   *
   * @param pollTimeout how long one poll waits for messages
   * @param maxPollRecords the most messages one batch holds
   * @param extraConsumerConfig further Kafka consumer settings (security, ...), applied last
   * @param listener told of every batch once its writes and commit completed (null: none)
   */
  public record Options(
      Duration pollTimeout,
      int maxPollRecords,
      Map<String, Object> extraConsumerConfig,
      Listener listener) {
    public Options {
      requireNonNull(pollTimeout, "pollTimeout is null");
      if (maxPollRecords < 1) {
        throw new IllegalArgumentException("maxPollRecords must be at least 1");
      }
      extraConsumerConfig =
          extraConsumerConfig == null ? Map.of() : Map.copyOf(extraConsumerConfig);
    }

    public Options(Duration pollTimeout, int maxPollRecords, Map<String, Object> extra) {
      this(pollTimeout, maxPollRecords, extra, null);
    }

    public static Options defaults() {
      return new Options(Duration.ofMillis(500), 5000, Map.of(), null);
    }
  }

  /**
   * Hears of applied batches: the event times (microseconds) of their rows, and when they landed.
   */
  @FunctionalInterface
  public interface Listener {
    void applied(long[] eventMicros, java.time.Instant servableAt);
  }

  /** Counters since start, and the consumer lag per partition at the last poll. */
  public record Stats(
      long messages,
      long appliedOnline,
      long late,
      long duplicates,
      long deadLetters,
      long loggedRows,
      Map<Integer, Long> lag,
      Duration lastFreshness,
      String lastError) {}

  private final FeatureRepo repo;
  private final Source source;
  private final StreamSpec spec;
  private final OnlineStore online;
  private final OfflineStore offline;
  private final DeadLetters deadLetters;
  private final Clock clock;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<RowShape> shapes = new ArrayList<>();
  private final List<OfflineStore.PushColumn> logColumns = new ArrayList<>();
  private final List<int[]> logColumnOf = new ArrayList<>();
  private final Map<Integer, Long> logged = new HashMap<>();

  /** The last offset dead-lettered per partition: a retried batch does not write them again. */
  private final Map<Integer, Long> deadUpTo = new HashMap<>();

  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong late = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong dead = new AtomicLong();
  private final AtomicLong loggedRows = new AtomicLong();
  private volatile Map<Integer, Long> lag = Map.of();
  private volatile Duration freshness = Duration.ZERO;
  private volatile String lastError;

  public StreamIngestor(
      FeatureRepo repo,
      String sourceName,
      OnlineStore online,
      OfflineStore offline,
      DeadLetters deadLetters,
      Clock clock,
      Options options) {
    this.repo = requireNonNull(repo, "repo is null");
    this.source = repo.source(sourceName);
    this.spec = source.stream();
    if (spec == null) {
      throw new InvalidRequestException(
          "source '" + sourceName + "' has no stream: add a 'stream:' block (type: kafka, ...)");
    }
    this.online = requireNonNull(online, "online is null");
    this.offline = source.pushLog() == null ? null : offline;
    this.deadLetters = requireNonNull(deadLetters, "deadLetters is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.avro = "avro".equals(spec.format()) ? AvroMessages.of(repo, source) : null;
    Map<String, Integer> logIndex = new LinkedHashMap<>();
    for (FeatureView v : repo.featureViews()) {
      if (!v.source().equals(source.name())) {
        continue;
      }
      RowShape shape;
      try {
        shape = RowShape.of(repo, v);
      } catch (InvalidRequestException e) {
        LOG.warn(
            "stream of source '{}': view '{}' is not fed: {}",
            source.name(),
            v.name(),
            e.getMessage());
        continue;
      }
      int[] at = new int[shape.columns().size()];
      for (int c = 0; c < at.length; c++) {
        RowShape.Column col = shape.columns().get(c);
        Integer known = logIndex.get(col.fileName());
        if (known == null) {
          known = logColumns.size();
          logIndex.put(col.fileName(), known);
          logColumns.add(new OfflineStore.PushColumn(col.fileName(), col.type()));
        } else if (logColumns.get(known).type() != col.type()) {
          throw new InvalidRequestException(
              "source '"
                  + source.name()
                  + "': column '"
                  + col.fileName()
                  + "' is "
                  + logColumns.get(known).type()
                  + " for one view and "
                  + col.type()
                  + " for view '"
                  + v.name()
                  + "': a streamed row has one type per column");
        }
        at[c] = known;
      }
      shapes.add(shape);
      logColumnOf.add(at);
    }
    if (shapes.isEmpty()) {
      throw new InvalidRequestException(
          "source '" + source.name() + "' has a stream but no view that can be fed from it");
    }
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, spec.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(repo, source));
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, options.maxPollRecords());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "fletch-stream-" + source.name());
    p.putAll(options.extraConsumerConfig());
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.pollTimeout = options.pollTimeout();
    this.listener = options.listener();
    // What the push log holds is read whenever partitions are assigned, before any record of them
    // is fetched: at the first poll, and after a rebalance, when another consumer may have logged
    // batches it never committed.
    consumer.subscribe(
        List.of(spec.topic()),
        new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {}

          @Override
          public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
            if (StreamIngestor.this.offline != null) {
              readLoggedPositions();
            }
          }
        });
  }

  private final Duration pollTimeout;
  private final Listener listener;

  /** Avro streams' record reader (null for JSON). */
  private final AvroMessages avro;

  /** The event times of the batch being applied (for the listener). */
  private long[] batchTimes = new long[0];

  private int batchTimeCount;

  /** The consumer group of a source's stream: its own, or {@code fletch-<project>-<source>}. */
  public static String groupId(FeatureRepo repo, Source source) {
    String given = source.stream().groupId();
    return given != null ? given : "fletch-" + repo.project() + "-" + source.name();
  }

  public Source source() {
    return source;
  }

  public Stats stats() {
    return new Stats(
        messages.get(),
        applied.get(),
        late.get(),
        duplicates.get(),
        dead.get(),
        loggedRows.get(),
        lag,
        freshness,
        lastError);
  }

  private static final Pattern LOG_FILE =
      Pattern.compile("stream-(.+)-p(\\d+)-o(\\d+)-(\\d+)\\.parquet");

  /** The last offset already in the push log, per partition, from the log's file names. */
  private void readLoggedPositions() {
    for (String name : offline.pushLogFiles(repo, source.name())) {
      Matcher m = LOG_FILE.matcher(name);
      if (m.matches() && m.group(1).equals(spec.topic())) {
        logged.merge(Integer.parseInt(m.group(2)), Long.parseLong(m.group(4)), Math::max);
      }
    }
  }

  /**
   * One batch: poll, check, write the log, write online, commit. A failed write leaves the offsets
   * uncommitted and moves the consumer back to them, so the next call does the batch again.
   *
   * @return the messages in the batch
   */
  public int pollOnce() {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
    updateLag();
    if (records.isEmpty()) {
      return 0;
    }
    try {
      apply(records);
      Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
      for (TopicPartition tp : records.partitions()) {
        List<ConsumerRecord<byte[], byte[]>> part = records.records(tp);
        commit.put(tp, new OffsetAndMetadata(part.get(part.size() - 1).offset() + 1));
      }
      consumer.commitSync(commit);
      lastError = null;
      if (listener != null) {
        listener.applied(java.util.Arrays.copyOf(batchTimes, batchTimeCount), clock.instant());
      }
    } catch (RuntimeException e) {
      lastError = e.getMessage();
      rewind(records.partitions());
      throw e;
    }
    messages.addAndGet(records.count());
    return records.count();
  }

  private void rewind(Set<TopicPartition> partitions) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions);
      for (TopicPartition tp : partitions) {
        OffsetAndMetadata at = committed.get(tp);
        if (at == null) {
          consumer.seekToBeginning(List.of(tp));
        } else {
          consumer.seek(tp, at.offset());
        }
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "stream of source '{}': cannot rewind to the committed offsets: {}",
          source.name(),
          e.toString());
    }
  }

  private void updateLag() {
    Map<Integer, Long> now = new TreeMap<>();
    for (TopicPartition tp : consumer.assignment()) {
      OptionalLong l = consumer.currentLag(tp);
      if (l.isPresent()) {
        now.put(tp.partition(), l.getAsLong());
      }
    }
    lag = now;
  }

  private void apply(ConsumerRecords<byte[], byte[]> records) {
    List<List<FeatureRow>> plain = new ArrayList<>();
    List<List<StreamTiles.Event>> events = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      plain.add(new ArrayList<>());
      events.add(new ArrayList<>());
    }
    long newest = Long.MIN_VALUE;
    batchTimeCount = 0;
    if (batchTimes.length < records.count()) {
      batchTimes = new long[records.count()];
    }
    for (TopicPartition tp : records.partitions()) {
      String position = spec.topic() + "-" + tp.partition();
      List<Object[]> logRows = new ArrayList<>();
      long first = -1;
      long last = -1;
      long loggedUpTo = logged.getOrDefault(tp.partition(), -1L);
      for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
        Map<String, Object> row;
        List<RowShape.Row> checked = new ArrayList<>(shapes.size());
        try {
          row = parse(r.value());
          for (int i = 0; i < shapes.size(); i++) {
            checked.add(shapes.get(i).check(row, 0, false));
          }
        } catch (InvalidRequestException e) {
          if (r.offset() > deadUpTo.getOrDefault(tp.partition(), -1L)) {
            String reason = e.getMessage().replaceFirst("^row 0(, |: )", "");
            deadLetters.add(r.topic(), r.partition(), r.offset(), reason, r.value());
            deadUpTo.put(tp.partition(), r.offset());
            dead.incrementAndGet();
          }
          continue;
        }
        // Every view reads the same timestamp field: one event time per message.
        long time = Windows.micros(checked.get(0).time());
        batchTimes[batchTimeCount++] = time;
        Object[] logRow = new Object[logColumns.size()];
        for (int i = 0; i < shapes.size(); i++) {
          RowShape shape = shapes.get(i);
          RowShape.Row checkedRow = checked.get(i);
          int[] at = logColumnOf.get(i);
          for (int c = 0; c < at.length; c++) {
            logRow[at[c]] = checkedRow.values()[c];
          }
          if (!shape.view().online()) {
            continue;
          }
          if (shape.view().aggregated()) {
            events
                .get(i)
                .add(
                    new StreamTiles.Event(
                        checkedRow.key(),
                        time,
                        checkedRow.created() == null ? null : Windows.micros(checkedRow.created()),
                        shape.inputs(checkedRow),
                        position,
                        r.offset()));
          } else {
            plain.get(i).add(shape.featureRow(checkedRow));
          }
          newest = Math.max(newest, time);
        }
        if (r.offset() > loggedUpTo) {
          logRows.add(logRow);
          if (first < 0) {
            first = r.offset();
          }
          last = r.offset();
        }
      }
      if (offline != null && !logRows.isEmpty()) {
        offline.appendPushLog(
            repo,
            source.name(),
            logColumns,
            logRows,
            "stream-" + spec.topic() + "-p" + tp.partition() + "-o" + first + "-" + last);
        logged.put(tp.partition(), last);
        loggedRows.addAndGet(logRows.size());
      }
    }
    for (int i = 0; i < shapes.size(); i++) {
      FeatureView view = shapes.get(i).view();
      if (!plain.get(i).isEmpty()) {
        online.write(repo.project(), view, plain.get(i)).join();
        applied.addAndGet(plain.get(i).size());
      }
      if (!events.get(i).isEmpty()) {
        StreamTiles.Result r = StreamTiles.add(online, repo.project(), view, events.get(i)).join();
        applied.addAndGet(r.applied());
        late.addAndGet(r.late());
        duplicates.addAndGet(r.duplicates());
      }
    }
    if (newest != Long.MIN_VALUE) {
      freshness = Duration.between(Windows.instant(newest), clock.instant());
    }
  }

  /** A message as one row (a JSON object or an Avro record), renamed by the field mapping. */
  private Map<String, Object> parse(byte[] value) {
    if (value == null) {
      throw new InvalidRequestException("row 0: the message has no value (a tombstone)");
    }
    if (avro != null) {
      return renamed(avro.parse(value));
    }
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidRequestException("row 0: not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new InvalidRequestException("row 0: not JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new InvalidRequestException("row 0: the message is not a JSON object");
    }
    Map<String, Object> row = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String name = column(f.getKey());
      row.put(name, plain(f.getValue(), name));
    }
    return row;
  }

  private Map<String, Object> renamed(Map<String, Object> fields) {
    Map<String, Object> row = new LinkedHashMap<>();
    fields.forEach((key, v) -> row.put(column(key), v));
    return row;
  }

  /** The source column a message field is: renamed by the field mapping and timestamp field. */
  private String column(String field) {
    String name = spec.fieldMapping().getOrDefault(field, field);
    return spec.timestampField() != null && name.equals(spec.timestampField())
        ? source.timestampField()
        : name;
  }

  private static Object plain(JsonNode v, String field) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isIntegralNumber()) {
      return v.canConvertToLong() ? (Object) v.longValue() : v.bigIntegerValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isArray()) {
      List<Object> out = new ArrayList<>(v.size());
      v.forEach(e -> out.add(plain(e, field)));
      return out;
    }
    throw new InvalidRequestException("row 0, column '" + field + "': an object is not a value");
  }

  /** Wakes a blocked poll (from another thread); the next {@link #pollOnce} returns at once. */
  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    try {
      consumer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      throw new FletchException("closing the consumer of '" + source.name() + "': " + e, e);
    }
  }
}
