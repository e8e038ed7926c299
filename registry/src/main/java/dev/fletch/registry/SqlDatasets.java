package dev.fletch.registry;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.fletch.core.DefinitionJson;
import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.stats.Dataset;
import dev.fletch.core.stats.DatasetCatalog;
import dev.fletch.core.stats.DatasetStats;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The datasets Fletch wrote and their statistics, in the registry database. */
final class SqlDatasets implements DatasetCatalog {
  private static final TypeReference<Map<String, String>> FEATURES = new TypeReference<>() {};

  private final Registry registry;

  SqlDatasets(Registry registry) {
    this.registry = registry;
  }

  @Override
  public long record(Dataset d) {
    requireNonNull(d, "dataset is null");
    return registry.withHandle(
        h ->
            h.createQuery(
                    "INSERT INTO \"datasets\" (\"project\", \"path\", \"kind\", \"rows\", \"size_bytes\","
                        + " \"modified_at\", \"created_at\", \"registry_version\", \"features\", \"stats\")"
                        + " VALUES (:p, :path, :k, :r, :size, :mod, :at, :v, :f, :s) RETURNING \"id\"")
                .bind("p", d.project())
                .bind("path", d.path())
                .bind("k", d.kind())
                .bind("r", d.rows())
                .bind("size", d.sizeBytes())
                .bind("mod", Schema.micros(d.modifiedAt()))
                .bind("at", Schema.micros(d.createdAt()))
                .bind("v", d.registryVersion())
                .bind("f", DefinitionJson.write(d.features()))
                .bind("s", d.stats() == null ? null : DefinitionJson.write(d.stats()))
                .mapTo(Long.class)
                .one());
  }

  @Override
  public Optional<Dataset> find(String project, long id) {
    requireNonNull(project, "project is null");
    return registry.withHandle(
        h ->
            h.createQuery(
                    SELECT
                        + ", \"stats\" FROM \"datasets\" WHERE \"project\" = :p AND \"id\" = :id")
                .bind("p", project)
                .bind("id", id)
                .map((rs, ctx) -> row(rs, true))
                .findOne());
  }

  @Override
  public Optional<Dataset> latest(String project, String path) {
    requireNonNull(project, "project is null");
    requireNonNull(path, "path is null");
    return registry.withHandle(
        h ->
            h.createQuery(
                    SELECT
                        + ", \"stats\" FROM \"datasets\" WHERE \"project\" = :p AND \"path\" = :path"
                        + " ORDER BY \"id\" DESC LIMIT 1")
                .bind("p", project)
                .bind("path", path)
                .map((rs, ctx) -> row(rs, true))
                .findOne());
  }

  @Override
  public List<Dataset> recent(String project, int limit) {
    requireNonNull(project, "project is null");
    if (limit <= 0) {
      throw new InvalidRequestException("limit must be positive, got " + limit);
    }
    return registry.withHandle(
        h ->
            h.createQuery(
                    SELECT
                        + " FROM \"datasets\" WHERE \"project\" = :p ORDER BY \"id\" DESC LIMIT :lim")
                .bind("p", project)
                .bind("lim", limit)
                .map((rs, ctx) -> row(rs, false))
                .list());
  }

  private static final String SELECT =
      "SELECT \"id\", \"project\", \"path\", \"kind\", \"rows\", \"size_bytes\", \"modified_at\","
          + " \"created_at\", \"registry_version\", \"features\"";

  private static Dataset row(ResultSet rs, boolean withStats) throws SQLException {
    DatasetStats stats = null;
    if (withStats) {
      String json = rs.getString(11);
      stats = json == null ? null : DefinitionJson.read(json, DatasetStats.class);
    }
    Map<String, String> features;
    try {
      features = DefinitionJson.mapper().readValue(rs.getString(10), FEATURES);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new FletchException(
          "cannot read a stored dataset's features: " + e.getOriginalMessage(), e);
    }
    return new Dataset(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getLong(5),
        rs.getLong(6),
        Schema.instant(rs.getLong(7)),
        Schema.instant(rs.getLong(8)),
        rs.getLong(9),
        features,
        stats);
  }
}
