package dev.fletch.offline;

import static dev.fletch.offline.Sql.ident;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.Source;
import dev.fletch.core.settings.OfflineSettings;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * A source's push log: the folder ({@code push_log}) where rows pushed to its views are kept, one
 * Parquet file per push, in the source's own column names, read by historical retrieval together
 * with the source's files (columns it lacks read NULL). A file appears whole or not at all: it is
 * written under a temporary name and moved into place.
 */
final class PushLog {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private PushLog() {}

  /**
   * The log folder of {@code source}, resolved against the repository (null when it has none),
   * refused when it leaves the folders sources may use.
   */
  static Path folder(Source source, FeatureRepo repo, OfflineSettings settings) {
    if (source.pushLog() == null) {
      return null;
    }
    Path base = SourcePaths.root(repo);
    String refused = settings.sourcePathProblem(base, source.pushLog());
    if (refused != null) {
      throw new InvalidRequestException(
          "source '" + source.name() + "': push_log: " + refused.replace("path '", "folder '"));
    }
    return base.resolve(source.pushLog()).normalize();
  }

  /** Whether the folder holds a pushed file (an empty or missing log adds nothing). */
  static boolean hasFiles(Path folder) {
    if (!Files.isDirectory(folder)) {
      return false;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.parquet")) {
      return files.iterator().hasNext();
    } catch (IOException e) {
      throw new FletchException("cannot list the push log " + folder + ": " + e.getMessage(), e);
    }
  }

  /** The names of the Parquet files in the log folder, sorted. */
  static List<String> files(Path folder) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    List<String> out = new java.util.ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.parquet")) {
      files.forEach(f -> out.add(f.getFileName().toString()));
    } catch (IOException e) {
      throw new FletchException("cannot list the push log " + folder + ": " + e.getMessage(), e);
    }
    out.sort(null);
    return out;
  }

  /**
   * Appends rows as one new Parquet file in {@code folder} (created if needed); values are as
   * Fletch carries them (Long, Integer, Double, Float, String, Boolean, Instant, byte[], null).
   *
   * @return the file written
   */
  static Path append(
      Path folder, List<OfflineStore.PushColumn> columns, List<Object[]> rows, String given) {
    if (given != null && !given.matches("[A-Za-z0-9._-]{1,200}")) {
      throw new InvalidRequestException("not a push log file name: '" + given + "'");
    }
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new FletchException("cannot create the push log " + folder + ": " + e.getMessage(), e);
    }
    String name =
        given != null
            ? given + ".parquet"
            : "push-" + STAMP.format(Instant.now()) + "-" + UUID.randomUUID() + ".parquet";
    Path target = folder.resolve(name);
    Path partial = folder.resolve("." + name + ".partial");
    try (Connection conn = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = conn.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      StringJoiner defs = new StringJoiner(", ");
      StringJoiner marks = new StringJoiner(", ");
      for (OfflineStore.PushColumn c : columns) {
        defs.add(ident(c.name()) + " " + Sql.duckType(c.type()));
        marks.add("?");
      }
      st.execute("CREATE TABLE pushed (" + defs + ")");
      try (PreparedStatement insert =
          conn.prepareStatement("INSERT INTO pushed VALUES (" + marks + ")")) {
        for (Object[] row : rows) {
          for (int c = 0; c < columns.size(); c++) {
            insert.setObject(c + 1, jdbc(row[c]));
          }
          insert.addBatch();
        }
        insert.executeBatch();
      }
      st.execute("COPY pushed TO '" + partial.toString().replace("'", "''") + "' (FORMAT parquet)");
      Files.move(
          partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (SQLException | IOException e) {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException ignored) {
        // the partial file has a name no reader matches
      }
      throw new FletchException(
          "cannot append to the push log " + folder + ": " + e.getMessage(), e);
    }
  }

  private static Object jdbc(Object v) {
    if (v instanceof Instant t) {
      return LocalDateTime.ofInstant(t, ZoneOffset.UTC);
    }
    return v;
  }
}
