package dev.fletch.offline;

import static dev.fletch.offline.Sql.ident;

import dev.fletch.core.FletchException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.expr.Expr;
import dev.fletch.core.expr.ExpressionException;
import dev.fletch.core.expr.Expressions;
import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.DataMismatch;
import dev.fletch.core.model.DefinitionPath;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.settings.OfflineSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Reads every source's schema (DuckDB's DESCRIBE over its files: no rows read) and checks the
 * definitions against it: the time columns exist and hold times, every column a join key, feature
 * or aggregation reads exists and its type reads as the declared one, every expression binds and
 * gives a type that reads as the declared one. Reports each mismatch where the definitions say it,
 * and goes on: one run lists them all.
 */
final class SourceCheck {
  private final Connection conn;
  private final FeatureRepo repo;
  private final OfflineSettings settings;
  private final List<DataMismatch> found = new ArrayList<>();

  SourceCheck(Connection conn, FeatureRepo repo, OfflineSettings settings) {
    this.conn = conn;
    this.repo = repo;
    this.settings = settings;
  }

  List<DataMismatch> run() {
    for (Source source : repo.sources()) {
      checkSource(source);
    }
    return found;
  }

  /** A source's columns as its views see them, and how to select its rows. */
  private record Read(Source source, Columns columns, String select) {}

  private void checkSource(Source source) {
    DefinitionPath at = DefinitionPath.source(source.name());
    String label = "source '" + source.name() + "'";
    String path;
    Columns raw;
    String scan;
    Source scanned = source;
    try {
      path = SourcePaths.resolve(source, repo.root(), settings);
      if (source.csv() != null && !source.csv().types().isEmpty()) {
        // DuckDB refuses to read a file whose declared column types name columns it lacks: name
        // those first, from the file read without them.
        Source untyped = withoutCsvTypes(source);
        Columns plain =
            SourceCatalog.describe(
                conn, "SELECT * FROM " + SourceCatalog.scan(untyped, path, repo, settings));
        boolean absent = false;
        for (String column : source.csv().types().keySet()) {
          if (!plain.has(column)) {
            absent = true;
            found.add(
                new DataMismatch(
                    at.key("csv").item("types", column),
                    label
                        + ": csv types names column '"
                        + column
                        + "', which "
                        + source.path()
                        + " does not have (columns: "
                        + plain
                        + ")"));
          }
        }
        if (absent) {
          scanned = untyped;
        }
      }
      scan = SourceCatalog.scan(scanned, path, repo, settings);
      raw = SourceCatalog.describe(conn, "SELECT * FROM " + scan);
    } catch (SQLException e) {
      FletchException f = SourceCatalog.unreadable(label, source.path(), e);
      found.add(new DataMismatch(at.key("path"), f.getMessage(), f instanceof NotFoundException));
      return;
    } catch (FletchException e) {
      String m = e.getMessage();
      found.add(new DataMismatch(at.key("path"), m.startsWith(label) ? m : label + ": " + m, true));
      return;
    }
    if (SourceCatalog.unsplitCsv(source, raw)) {
      found.add(
          new DataMismatch(
              at.key("path"),
              label
                  + ": DuckDB could not split "
                  + source.path()
                  + " into columns (it read the header as one column '"
                  + SourceCatalog.abbreviate(raw.names().get(0))
                  + "'): rows with more or fewer fields than the header, or another delimiter"
                  + " (give the source csv: {delimiter: \";\"}, say)"));
      return;
    }
    Map<String, String> renames = new LinkedHashMap<>();
    source
        .fieldMapping()
        .forEach(
            (from, to) -> {
              if (raw.has(from)) {
                renames.put(from, to);
              } else {
                found.add(
                    new DataMismatch(
                        at.item("field_mapping", from),
                        label
                            + ": field_mapping renames column '"
                            + from
                            + "', which "
                            + source.path()
                            + " does not have (columns: "
                            + raw
                            + ")"));
              }
            });
    Columns columns = raw.renamed(renames);
    time(source, columns, source.timestampField(), "timestamp_field");
    if (source.createdTimestampField() != null && !source.createdTimestampField().isBlank()) {
      time(source, columns, source.createdTimestampField(), "created_timestamp_field");
    }
    StringJoiner select = new StringJoiner(", ", "SELECT *", "");
    if (!renames.isEmpty()) {
      StringJoiner r = new StringJoiner(", ", " RENAME (", ")");
      renames.forEach((from, to) -> r.add(ident(from) + " AS " + ident(to)));
      select.add(r.toString());
    }
    Read read = new Read(source, columns, select + " FROM " + scan);
    for (FeatureView view : repo.featureViews()) {
      if (view.source().equals(source.name())) {
        checkView(view, read);
      }
    }
  }

  private static Source withoutCsvTypes(Source s) {
    var c = s.csv();
    return new Source(
        s.name(),
        s.format(),
        s.path(),
        s.timestampField(),
        s.createdTimestampField(),
        s.fieldMapping(),
        s.description(),
        s.pushLog(),
        s.stream(),
        new dev.fletch.core.model.CsvOptions(
            c.delimiter(), c.header(), c.quote(), c.escape(), c.nullStrings(), null));
  }

  private void time(Source source, Columns columns, String column, String key) {
    DefinitionPath at = DefinitionPath.source(source.name()).key(key);
    String label = "source '" + source.name() + "'";
    var type = columns.typeOf(column);
    if (type.isEmpty()) {
      found.add(
          new DataMismatch(
              at,
              label
                  + ": "
                  + key
                  + " '"
                  + column
                  + "' is not a column of "
                  + source.path()
                  + " (columns: "
                  + columns
                  + ")"));
    } else if (!TimeTypes.accepts(type.get())) {
      found.add(
          new DataMismatch(
              at,
              label
                  + ": "
                  + key
                  + " '"
                  + column
                  + "' has type "
                  + type.get()
                  + " in "
                  + source.path()
                  + "; a time column holds "
                  + TimeTypes.ACCEPTED));
    }
  }

  private void checkView(FeatureView view, Read read) {
    String label = "feature view '" + view.name() + "'";
    DefinitionPath at = DefinitionPath.view(view.name());
    for (String entityName : view.entities()) {
      Entity entity = repo.findEntity(entityName).orElse(null);
      if (entity == null) {
        continue; // reported by the definitions' own checks
      }
      for (JoinKey key : entity.joinKeys()) {
        var type = read.columns().typeOf(key.name());
        if (type.isEmpty()) {
          found.add(
              new DataMismatch(
                  at.item("entities", entityName),
                  label
                      + ": source '"
                      + read.source().name()
                      + "' has no column '"
                      + key.name()
                      + "' (join key of entity '"
                      + entityName
                      + "'; columns: "
                      + read.columns()
                      + ")"));
        } else if (!reads(read, key.name(), type.get(), key.type())) {
          found.add(
              new DataMismatch(
                  at.item("entities", entityName),
                  label
                      + ": join key '"
                      + key.name()
                      + "' of entity '"
                      + entityName
                      + "' is "
                      + key.type()
                      + ", but "
                      + where(read, key.name())
                      + " is "
                      + type.get()
                      + hint(read, key.name(), type.get(), key.type())));
        }
      }
    }
    if (view.aggregated()) {
      Set<String> inputs = new HashSet<>();
      for (Aggregation a : view.aggregations()) {
        if (a.countsEvents() || !inputs.add(a.inputKey() + "|" + a.inputType())) {
          continue; // one report per input, not per window
        }
        DefinitionPath fat = DefinitionPath.feature(view.name(), a.name());
        String what = label + " aggregation '" + a.name() + "'";
        if (a.column() != null) {
          column(read, fat, what, a.column(), a.inputType(), "column", "the aggregation's type");
        } else {
          expression(read, fat, what, a.expression(), a.inputType());
        }
      }
      return;
    }
    for (Feature f : view.features()) {
      DefinitionPath fat = DefinitionPath.feature(view.name(), f.name());
      String what = label + " feature '" + f.name() + "'";
      if (f.hasExpression()) {
        expression(read, fat, what, f.expression(), f.type());
      } else {
        column(read, fat, what, f.name(), f.type(), "name", "declared");
      }
    }
  }

  /** A column read as {@code declared}: it exists, and its type reads as that. */
  private void column(
      Read read,
      DefinitionPath at,
      String what,
      String column,
      ValueType declared,
      String nameKey,
      String declaredAs) {
    var type = read.columns().typeOf(column);
    if (type.isEmpty()) {
      found.add(
          new DataMismatch(
              at.key(nameKey),
              what
                  + ": source '"
                  + read.source().name()
                  + "' has no column '"
                  + column
                  + "' (columns: "
                  + read.columns()
                  + ")"
                  + (nameKey.equals("name")
                      ? "; give the feature an expression, or rename it"
                      : "")));
    } else if (!reads(read, column, type.get(), declared)) {
      found.add(
          new DataMismatch(
              at.key("type"),
              what
                  + ": "
                  + declaredAs
                  + " "
                  + declared
                  + ", but "
                  + where(read, column)
                  + " is "
                  + type.get()
                  + hint(read, column, type.get(), declared)));
    }
  }

  /** An expression over the source's columns: it reads columns that exist, binds, fits its type. */
  private void expression(
      Read read, DefinitionPath at, String what, String text, ValueType declared) {
    Expr e;
    try {
      e = Expressions.parseRowExpression(text);
    } catch (ExpressionException ex) {
      found.add(new DataMismatch(at.key("expression"), what + ": expression " + ex.getMessage()));
      return;
    }
    List<String> missing = new ArrayList<>();
    String sql =
        DuckDbExpressions.render(
            e,
            c -> {
              if (!read.columns().has(c.name()) && !missing.contains(c.name())) {
                missing.add(c.name());
              }
              return "src." + ident(c.name());
            });
    if (!missing.isEmpty()) {
      found.add(
          new DataMismatch(
              at.key("expression"),
              what
                  + ": the expression reads "
                  + (missing.size() == 1 ? "column '" : "columns '")
                  + String.join("', '", missing)
                  + "', which source '"
                  + read.source().name()
                  + "' does not have (columns: "
                  + read.columns()
                  + ")"));
      return;
    }
    String type;
    try {
      type =
          SourceCatalog.describe(
                  conn,
                  "SELECT "
                      + sql
                      + " AS "
                      + ident("__fletch_value")
                      + " FROM ("
                      + read.select()
                      + ") AS src")
              .types()
              .get(0);
    } catch (SQLException ex) {
      String m = ex.getMessage() == null ? "" : ex.getMessage();
      int nl = m.indexOf('\n');
      found.add(
          new DataMismatch(
              at.key("expression"),
              what
                  + ": the expression does not apply to source '"
                  + read.source().name()
                  + "': "
                  + (nl < 0 ? m : m.substring(0, nl))));
      return;
    }
    if (!ColumnTypes.reads(type, declared)) {
      String fits = ColumnTypes.suggestion(type);
      found.add(
          new DataMismatch(
              at.key("type"),
              what
                  + ": declared "
                  + declared
                  + ", but its expression gives "
                  + type
                  + " over "
                  + read.source().path()
                  + (fits == null
                      ? ""
                      : " (declare "
                          + fits
                          + ", or cast in the expression, e.g. CAST(... AS "
                          + Sql.duckType(declared)
                          + "))")));
    }
  }

  /**
   * Whether a column reads as {@code declared}: widenings only, and for a CSV column whose type
   * DuckDB detected (not one the source's csv types declares) the detected number kinds too.
   */
  private static boolean reads(Read read, String column, String type, ValueType declared) {
    var csv = read.source().csv();
    // csv types name the file's columns, before field_mapping
    String inFile =
        read.source().fieldMapping().entrySet().stream()
            .filter(m -> m.getValue().equalsIgnoreCase(column))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElse(column);
    boolean detected =
        read.source().format() == SourceFormat.CSV
            && (csv == null || csv.types().keySet().stream().noneMatch(inFile::equalsIgnoreCase));
    return detected ? ColumnTypes.readsCsv(type, declared) : ColumnTypes.reads(type, declared);
  }

  private static String where(Read read, String column) {
    return "column '" + column + "' of " + read.source().path();
  }

  /** What to change: the declared type that fits; for CSV, that DuckDB's reading may be a guess. */
  private static String hint(Read read, String column, String type, ValueType declared) {
    String fits = ColumnTypes.suggestion(type);
    if (read.source().format() == SourceFormat.CSV) {
      return " (as DuckDB reads the file: if its first rows misled it, give the source csv: types:"
          + " {"
          + column
          + ": "
          + declared
          + "}"
          + (fits == null ? "" : "; else declare " + fits)
          + ")";
    }
    return fits == null ? "" : " (declare " + fits + ")";
  }
}
