package dev.fletch.offline;

import dev.fletch.core.model.Entity;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Builds small repositories and data files for the offline-store tests, with DuckDB itself. */
final class TestData {
  private TestData() {}

  /** Runs statements (typically {@code COPY (...) TO ...}) on a throwaway DuckDB in UTC. */
  static void sql(String... statements) {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      for (String s : statements) {
        st.execute(s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static String q(Path p) {
    return "'" + p.toString().replace("'", "''") + "'";
  }

  static Entity entity(String name, String... keys) {
    return new Entity(
        name,
        java.util.Arrays.stream(keys).map(k -> new JoinKey(k, ValueType.INT64)).toList(),
        null,
        null);
  }

  static Source parquet(String name, String path, String ts, String created) {
    return new Source(name, SourceFormat.PARQUET, path, ts, created, Map.of(), null);
  }

  static Feature feature(String name, ValueType type) {
    return new Feature(name, type, null, null, null);
  }

  static Feature feature(String name, ValueType type, String expression) {
    return new Feature(name, type, expression, null, null);
  }

  static FeatureView view(
      String name, List<String> entities, String source, Duration ttl, Feature... fs) {
    return new FeatureView(name, entities, source, ttl, true, List.of(fs), null, null, null, null);
  }

  static FeatureRepo repo(
      Path root,
      List<Entity> entities,
      List<Source> sources,
      List<FeatureView> views,
      FeatureService... services) {
    return new FeatureRepo("test", entities, sources, views, List.of(services), root);
  }
}
