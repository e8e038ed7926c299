package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.ingest.RowShape;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.Source;
import dev.fletch.core.window.Windows;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.StreamTiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The Push API: rows of one feature view, checked against the registered definition as a whole
 * before anything is written, then written to the source's push log (offline), the online store, or
 * both (the log first). A plain view's rows go online under the never-older rule; an aggregated
 * view's raw events go into its streamed tiles ({@link StreamTiles}).
 *
 * <p>Rows are given in the source's terms, the same shape as its offline files: the join keys, the
 * source's timestamp field, optionally its created timestamp field, and the view's value columns (a
 * plain view's features, an aggregated view's aggregated columns). Pushing to views whose values
 * are SQL expressions is refused: the push API does not evaluate expressions.
 */
final class PushService {
  /** The most rows one push may carry. */
  static final int MAX_ROWS = 10_000;

  /** Where pushed rows go. */
  enum Target {
    ONLINE,
    OFFLINE,
    BOTH;

    boolean online() {
      return this != OFFLINE;
    }

    boolean offline() {
      return this != ONLINE;
    }

    /** {@code online}, {@code offline} or {@code both} (null: online). */
    static Target parse(String text) {
      if (text == null) {
        return ONLINE;
      }
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "online" -> ONLINE;
        case "offline" -> OFFLINE;
        case "both" -> BOTH;
        default ->
            throw new InvalidRequestException(
                "'to' must be online, offline or both, not '" + text + "'");
      };
    }
  }

  /** A push as it arrived: rows as maps of column name to value (JSON or protobuf values). */
  record Request(String project, String view, Target to, List<Map<String, Object>> rows) {}

  /** What a push did. */
  record Result(int rows, long onlineRows, long lateRows, int offlineRows) {}

  private final RegistryCache definitions;
  private final OnlineStore store;
  private final OfflineStore offline;
  private final Executor blocking;

  PushService(
      RegistryCache definitions, OnlineStore store, OfflineStore offline, Executor blocking) {
    this.definitions = requireNonNull(definitions, "definitions is null");
    this.store = requireNonNull(store, "store is null");
    this.offline = offline;
    this.blocking = requireNonNull(blocking, "blocking is null");
  }

  /** Checks and writes one push; failures (also validation) come back as a failed future. */
  CompletableFuture<Result> push(Request request) {
    Checked checked;
    try {
      checked = check(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Integer> logged =
        request.to().offline()
            ? CompletableFuture.supplyAsync(
                () -> {
                  offline.appendPushLog(
                      checked.repo(),
                      checked.source().name(),
                      checked.logColumns(),
                      checked.logRows());
                  return checked.rows();
                },
                blocking)
            : CompletableFuture.completedFuture(0);
    return logged.thenCompose(
        offlineRows -> {
          if (!request.to().online()) {
            return CompletableFuture.completedFuture(new Result(checked.rows(), 0, 0, offlineRows));
          }
          if (checked.view().aggregated()) {
            return StreamTiles.add(store, definitions.project(), checked.view(), checked.events())
                .thenApply(r -> new Result(checked.rows(), r.applied(), r.late(), offlineRows));
          }
          return store
              .write(definitions.project(), checked.view(), checked.featureRows())
              .thenApply(v -> new Result(checked.rows(), checked.rows(), 0, offlineRows));
        });
  }

  /** A push that passed every check: what goes online and what goes to the log. */
  private record Checked(
      FeatureRepo repo,
      FeatureView view,
      Source source,
      int rows,
      List<FeatureRow> featureRows,
      List<StreamTiles.Event> events,
      List<OfflineStore.PushColumn> logColumns,
      List<Object[]> logRows) {}

  private Checked check(Request request) {
    if (request.project() != null
        && !request.project().isEmpty()
        && !request.project().equals(definitions.project())) {
      throw new NotFoundException(
          "project", request.project(), "this server serves '" + definitions.project() + "'");
    }
    if (request.view() == null || request.view().isEmpty()) {
      throw new InvalidRequestException("'feature_view' is missing: name the view to push to");
    }
    List<Map<String, Object>> rows = request.rows();
    if (rows == null || rows.isEmpty()) {
      throw new InvalidRequestException("no rows: give at least one row to push");
    }
    if (rows.size() > MAX_ROWS) {
      throw new InvalidRequestException(
          rows.size() + " rows in one push; at most " + MAX_ROWS + " are allowed: split it");
    }
    ServingCatalog catalog = definitions.catalog();
    FeatureRepo repo = catalog.repo();
    FeatureView view = repo.view(request.view());
    Source source = repo.source(view.source());
    String where = "feature view '" + view.name() + "'";
    if (request.to().online() && !view.online()) {
      throw new InvalidRequestException(
          where + " is not online (online: false): push to: offline to keep its rows");
    }
    if (request.to().offline() && offline == null) {
      throw new InvalidRequestException(
          "this server has no offline store, so pushed rows cannot be kept offline: push to the"
              + " online store only");
    }
    if (request.to().offline() && source.pushLog() == null) {
      throw new InvalidRequestException(
          "source '"
              + source.name()
              + "' of "
              + where
              + " has no push_log folder, so pushed rows cannot be kept offline: add 'push_log:"
              + " data/pushed/"
              + source.name()
              + "' to it, or push to: online");
    }
    RowShape shape = catalog.rowShape(view);
    List<FeatureRow> featureRows = new ArrayList<>();
    List<StreamTiles.Event> events = new ArrayList<>();
    List<Object[]> logRows = new ArrayList<>(rows.size());
    for (int r = 0; r < rows.size(); r++) {
      RowShape.Row row = shape.check(rows.get(r), r, true);
      logRows.add(row.values());
      if (view.aggregated()) {
        events.add(
            new StreamTiles.Event(
                row.key(),
                Windows.micros(row.time()),
                row.created() == null ? null : Windows.micros(row.created()),
                shape.inputs(row),
                null,
                0));
      } else {
        featureRows.add(shape.featureRow(row));
      }
    }
    List<OfflineStore.PushColumn> logColumns = new ArrayList<>(shape.columns().size());
    for (RowShape.Column c : shape.columns()) {
      logColumns.add(new OfflineStore.PushColumn(c.fileName(), c.type()));
    }
    return new Checked(repo, view, source, rows.size(), featureRows, events, logColumns, logRows);
  }
}
