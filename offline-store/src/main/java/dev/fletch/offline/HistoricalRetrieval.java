package dev.fletch.offline;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.settings.OfflineSettings;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Plans one historical retrieval on a connection: loads the entity set, checks it against the
 * requested views, and produces the point-in-time SQL. Executing it is the caller's business (COPY
 * to a file, or an Arrow stream).
 */
final class HistoricalRetrieval {
  /**
   * The query to run, the names of the columns it produces, and the reference ({@code
   * view:feature}) of each feature column.
   */
  record Plan(
      String sql,
      List<String> entityColumns,
      List<String> featureColumns,
      List<String> featureRefs,
      String timestampColumn) {}

  private HistoricalRetrieval() {}

  static Plan plan(
      Connection conn, FeatureRepo repo, HistoricalRequest request, OfflineSettings settings) {
    List<FeatureRef> refs = resolve(repo, request);
    SourceCatalog catalog = new SourceCatalog(conn, repo, settings);
    OnDemandSql onDemand = new OnDemandSql(repo);
    OnDemandSql.Needs needs = onDemand.needs(refs);

    // Validate the views before touching the entity set, so definition errors come first. The
    // views' features are the requested ones and those on-demand features read.
    Map<String, List<Feature>> byView = new LinkedHashMap<>();
    for (FeatureRef ref : needs.viewFeatures()) {
      FeatureView view = repo.view(ref.view());
      List<Feature> features = byView.computeIfAbsent(view.name(), n -> new ArrayList<>());
      Feature f = view.feature(ref.feature()).orElseThrow();
      if (!features.contains(f)) {
        features.add(f);
      }
    }
    List<FeatureSql.ViewRelation> views = new ArrayList<>();
    Map<String, Integer> viewIndex = new LinkedHashMap<>();
    for (Map.Entry<String, List<Feature>> e : byView.entrySet()) {
      viewIndex.put(e.getKey(), views.size());
      views.add(catalog.view(repo.view(e.getKey()), e.getValue()));
    }

    String tsColumn = request.eventTimestampColumn();
    Columns entity = EntityTables.load(catalog, conn, request.entities(), tsColumn);
    checkEntityColumns(repo, entity, tsColumn, views);
    checkRequestFields(entity, needs);
    checkEntityText(conn, entity, tsColumn, views);

    java.util.function.Function<FeatureRef, String> viewValue =
        ref -> {
          int v = viewIndex.get(ref.view());
          return FeatureSql.featureValue(
              views, v, views.get(v).view().feature(ref.feature()).orElseThrow());
        };
    List<String> names = outputNames(refs, request.fullNames(), entity);
    List<FeatureSql.OutputFeature> outputs = new ArrayList<>();
    for (int i = 0; i < refs.size(); i++) {
      FeatureRef ref = refs.get(i);
      String sql =
          repo.findOnDemandView(ref.view()).isPresent()
              ? onDemand.value(ref, viewValue, entity)
              : viewValue.apply(ref);
      outputs.add(new FeatureSql.OutputFeature(names.get(i), sql));
    }
    return new Plan(
        FeatureSql.historical(entity, tsColumn, views, outputs),
        entity.names(),
        names,
        refs.stream().map(FeatureRef::toString).toList(),
        tsColumn);
  }

  /** Every request field of the on-demand features asked for is a column of the entity rows. */
  private static void checkRequestFields(Columns entity, OnDemandSql.Needs needs) {
    needs
        .requestFields()
        .forEach(
            (odfv, fields) -> {
              for (dev.fletch.core.model.RequestField f : fields) {
                if (!entity.has(f.name())) {
                  throw new InvalidRequestException(
                      "the entity set has no column '"
                          + f.name()
                          + "', a request field ("
                          + f.type()
                          + ") of on-demand feature view '"
                          + odfv
                          + "' (columns: "
                          + entity
                          + ")");
                }
              }
            });
  }

  static List<FeatureRef> resolve(FeatureRepo repo, HistoricalRequest request) {
    boolean hasService = request.service() != null && !request.service().isBlank();
    if (hasService && !request.features().isEmpty()) {
      throw new InvalidRequestException(
          "give either feature references or a feature service, not both");
    }
    if (!hasService && request.features().isEmpty()) {
      throw new InvalidRequestException(
          "no features requested: give feature references or a feature service");
    }
    return hasService ? repo.resolveService(request.service()) : repo.resolve(request.features());
  }

  private static void checkEntityColumns(
      FeatureRepo repo, Columns entity, String tsColumn, List<FeatureSql.ViewRelation> views) {
    String tsType =
        entity
            .typeOf(tsColumn)
            .orElseThrow(
                () ->
                    new InvalidRequestException(
                        "the entity set has no timestamp column '"
                            + tsColumn
                            + "' (columns: "
                            + entity
                            + "); name it with fletch historical --timestamp-column, or"
                            + " 'event_timestamp_column' over HTTP"));
    if (!TimeTypes.accepts(tsType)) {
      throw new InvalidRequestException(
          "entity timestamp column '"
              + tsColumn
              + "' has type "
              + tsType
              + "; expected "
              + TimeTypes.ACCEPTED);
    }
    for (FeatureSql.ViewRelation v : views) {
      for (JoinKey k : v.keys()) {
        if (!entity.has(k.name())) {
          throw new InvalidRequestException(
              "the entity set has no join-key column '"
                  + k.name()
                  + "' needed by feature view '"
                  + v.view().name()
                  + "' (columns: "
                  + entity
                  + ")");
        }
      }
    }
  }

  /**
   * Entity columns given as text (CSV, JSON, inline rows over HTTP) are parsed by the query itself,
   * where a bad value would stop the result halfway with a message naming neither the value nor its
   * column (streamed results say only "Invalid result set"). Checked here instead, before anything
   * is written, with one message for every way of running a retrieval: the first row whose
   * timestamp is not ISO-8601 text, or whose integer join key is not an integer.
   */
  private static void checkEntityText(
      Connection conn, Columns entity, String tsColumn, List<FeatureSql.ViewRelation> views) {
    if (isText(entity, tsColumn)) {
      firstUnparsable(conn, tsColumn, "TIMESTAMPTZ")
          .ifPresent(
              bad ->
                  fail(
                      bad,
                      "timestamp column '"
                          + tsColumn
                          + "' holds "
                          + bad.value()
                          + ", which is not an ISO-8601 time such as 2024-03-01T12:00:00Z"
                          + " (or 2024-03-01, or with an offset: +02:00)"));
    }
    java.util.Set<String> checked = new java.util.HashSet<>();
    for (FeatureSql.ViewRelation v : views) {
      for (JoinKey k : v.keys()) {
        if (k.type() == dev.fletch.core.model.ValueType.STRING
            || !isText(entity, k.name())
            || !checked.add(k.name())) {
          continue;
        }
        String target = k.type() == dev.fletch.core.model.ValueType.INT32 ? "INTEGER" : "BIGINT";
        firstUnparsable(conn, k.name(), target)
            .ifPresent(
                bad ->
                    fail(
                        bad,
                        "join-key column '"
                            + k.name()
                            + "' ("
                            + k.type()
                            + ") holds "
                            + bad.value()
                            + ", which is not an integer"
                            + (k.type() == dev.fletch.core.model.ValueType.INT32
                                ? " of the INT32 range"
                                : "")));
      }
    }
  }

  private record BadValue(long row, String value) {}

  private static void fail(BadValue bad, String what) {
    throw new InvalidRequestException("entity row " + bad.row() + ": " + what);
  }

  private static boolean isText(Columns entity, String column) {
    return entity.typeOf(column).map(t -> t.equalsIgnoreCase("VARCHAR")).orElse(false);
  }

  /** The first entity row (input order, from 0) whose {@code column} does not cast to a type. */
  private static java.util.Optional<BadValue> firstUnparsable(
      Connection conn, String column, String type) {
    String c = Sql.ident(column);
    String sql =
        "SELECT rowid, "
            + c
            + " FROM "
            + Sql.ident(FeatureSql.ENTITIES)
            + " WHERE "
            + c
            + " IS NOT NULL AND TRY_CAST("
            + c
            + " AS "
            + type
            + ") IS NULL ORDER BY rowid LIMIT 1";
    try (java.sql.Statement st = conn.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      if (!rs.next()) {
        return java.util.Optional.empty();
      }
      String value = rs.getString(2);
      String shown = value.length() > 60 ? value.substring(0, 57) + "..." : value;
      return java.util.Optional.of(new BadValue(rs.getLong(1), "'" + shown + "'"));
    } catch (java.sql.SQLException e) {
      throw DuckDbErrors.translate("cannot check the entity set's " + column + " column", e);
    }
  }

  /**
   * The repository's output names: the same as in served answers, a function of the requested
   * features alone. A name that an entity-set column already has is an error naming both (renaming
   * the feature here would give the training set another column than serving gives the model).
   */
  static List<String> outputNames(List<FeatureRef> refs, boolean fullNames, Columns entity) {
    List<String> names = new ArrayList<>(FeatureRepo.outputNames(refs, fullNames));
    Map<String, String> columns = new HashMap<>();
    for (String c : entity.names()) {
      columns.put(c.toLowerCase(Locale.ROOT), c);
    }
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      String clash = columns.get(name.toLowerCase(Locale.ROOT));
      if (clash != null) {
        throw new InvalidRequestException(
            "feature "
                + refs.get(i)
                + " is named '"
                + name
                + "' in training sets and in served answers, but the entity rows already have a"
                + " column '"
                + clash
                + "': rename that column, or ask for full names (--full-names,"
                + " full_feature_names: '"
                + refs.get(i).fullName()
                + "' offline and online)");
      }
    }
    return names;
  }
}
