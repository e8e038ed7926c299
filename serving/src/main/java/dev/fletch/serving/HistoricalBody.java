package dev.fletch.serving;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.fletch.core.InvalidRequestException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * The body of {@code POST /api/v1/historical}, read from the file it was spooled to with a
 * streaming parser, never whole: {@code {entities, features | feature_service, full_feature_names?,
 * event_timestamp_column?, project?}}. Entities come as rows ({@code [{"customer_id": 1,
 * "event_timestamp": "..."}]}) or as columns ({@code {"customer_id": [1], "event_timestamp":
 * ["..."]}}, the shape GetFeatures takes); either way they are written one row a line to a
 * JSON-lines file, which the offline store reads a row at a time. Columns are spooled to a file
 * each first and zipped into rows, so neither shape holds the entity set in memory.
 */
final class HistoricalBody {
  static final String FIELDS =
      "entities, features, feature_service, full_feature_names, event_timestamp_column, project";

  /** More columns than this are refused: each is a file while the body is read. */
  static final int MAX_COLUMNS = 1000;

  private static final JsonFactory JSON = new JsonFactory();

  final List<String> features;
  final String service;
  final String timestampColumn;
  final boolean fullNames;
  final String project;
  final long rows;

  private HistoricalBody(
      List<String> features,
      String service,
      String timestampColumn,
      boolean fullNames,
      String project,
      long rows) {
    this.features = features;
    this.service = service;
    this.timestampColumn = timestampColumn;
    this.fullNames = fullNames;
    this.project = project;
    this.rows = rows;
  }

  /**
   * Reads {@code body}, writing its entity rows to {@code rowsFile}; temporary files it needs are
   * handed to {@code cleanup} (removed when the request ends).
   */
  static HistoricalBody read(Path body, Path rowsFile, long maxRows, Consumer<Path> cleanup)
      throws IOException {
    List<String> refs = List.of();
    String service = null;
    String timestampColumn = null;
    String project = null;
    boolean fullNames = false;
    long rows = -1;
    try (JsonParser p = JSON.createParser(body.toFile());
        JsonGenerator out =
            JSON.createGenerator(Files.newBufferedWriter(rowsFile, StandardCharsets.UTF_8))) {
      out.setRootValueSeparator(null);
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidRequestException(
            "the request body must be a JSON object: {\"entities\": [...], \"features\": [...]}");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "entities" -> {
            if (value == JsonToken.START_ARRAY) {
              rows = rows(p, out, maxRows);
            } else if (value == JsonToken.START_OBJECT) {
              rows = columns(p, out, maxRows, rowsFile.getParent(), cleanup);
            } else {
              throw new InvalidRequestException(
                  "'entities' must be an array of rows, [{\"customer_id\": 1, \"event_timestamp\":"
                      + " \"2024-01-01T00:00:00Z\"}], or an object of columns, {\"customer_id\":"
                      + " [1], \"event_timestamp\": [\"2024-01-01T00:00:00Z\"]}; got "
                      + describe(value));
            }
          }
          case "features" -> refs = strings(p, value, field);
          case "feature_service" -> service = text(p, value, field);
          case "event_timestamp_column" -> timestampColumn = text(p, value, field);
          case "project" -> project = text(p, value, field);
          case "full_feature_names" -> {
            if (value != JsonToken.VALUE_TRUE
                && value != JsonToken.VALUE_FALSE
                && value != JsonToken.VALUE_NULL) {
              throw new InvalidRequestException(
                  "'full_feature_names' must be true or false; got " + describe(value));
            }
            fullNames = value == JsonToken.VALUE_TRUE;
          }
          default ->
              throw new InvalidRequestException(
                  "unknown field '"
                      + field
                      + "' in a historical retrieval request; the fields are "
                      + FIELDS);
        }
      }
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(
          "the request body is not valid JSON: " + e.getOriginalMessage() + locationOf(e), e);
    }
    if (rows <= 0) {
      throw new InvalidRequestException(
          "missing or empty 'entities': give the entity rows, e.g. [{\"customer_id\": 1,"
              + " \"event_timestamp\": \"2024-01-01T00:00:00Z\"}]");
    }
    if (refs.isEmpty() == (service == null || service.isBlank())) {
      throw new InvalidRequestException("give either 'features' or 'feature_service'");
    }
    return new HistoricalBody(refs, service, timestampColumn, fullNames, project, rows);
  }

  /** The row shape: each row an object of scalars, copied as one line. */
  private static long rows(JsonParser p, JsonGenerator out, long maxRows) throws IOException {
    long rows = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw new InvalidRequestException(
            "entities["
                + rows
                + "] must be an object, e.g. {\"customer_id\": 1, \"event_timestamp\":"
                + " \"2024-01-01T00:00:00Z\"}; got "
                + describe(p.currentToken()));
      }
      checkRows(++rows, maxRows);
      out.writeStartObject();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String column = p.currentName();
        JsonToken v = p.nextToken();
        checkScalar(v, "entities[" + (rows - 1) + "]." + column);
        out.writeFieldName(column);
        out.copyCurrentEvent(p);
      }
      out.writeEndObject();
      out.writeRaw('\n');
    }
    return rows;
  }

  /** The column shape: each column to a file of its own, then zipped into rows. */
  private static long columns(
      JsonParser p, JsonGenerator out, long maxRows, Path dir, Consumer<Path> cleanup)
      throws IOException {
    List<String> names = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    List<Long> lengths = new ArrayList<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String column = p.currentName();
      if (names.contains(column)) {
        throw new InvalidRequestException("entities." + column + " is given twice");
      }
      if (names.size() == MAX_COLUMNS) {
        throw new InvalidRequestException("'entities' has more than " + MAX_COLUMNS + " columns");
      }
      JsonToken start = p.nextToken();
      if (start != JsonToken.START_ARRAY) {
        throw new InvalidRequestException(
            "entities."
                + column
                + " must be an array of values, one per entity row; got "
                + describe(start));
      }
      Path file = Files.createTempFile(dir, "fletch-historical-column-", ".jsonl");
      cleanup.accept(file);
      long n = 0;
      try (JsonGenerator values =
          JSON.createGenerator(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
        values.setRootValueSeparator(null);
        while (p.nextToken() != JsonToken.END_ARRAY) {
          checkScalar(p.currentToken(), "entities." + column + "[" + n + "]");
          checkRows(++n, maxRows);
          values.copyCurrentEvent(p);
          values.writeRaw('\n');
        }
      }
      names.add(column);
      files.add(file);
      lengths.add(n);
    }
    for (int c = 1; c < names.size(); c++) {
      if (!lengths.get(c).equals(lengths.get(0))) {
        throw new InvalidRequestException(
            "the entity columns have different lengths: '"
                + names.get(0)
                + "' has "
                + lengths.get(0)
                + " values, '"
                + names.get(c)
                + "' has "
                + lengths.get(c));
      }
    }
    long rows = names.isEmpty() ? 0 : lengths.get(0);
    List<BufferedReader> readers = new ArrayList<>(files.size());
    try {
      for (Path f : files) {
        readers.add(Files.newBufferedReader(f, StandardCharsets.UTF_8));
      }
      for (long r = 0; r < rows; r++) {
        out.writeStartObject();
        for (int c = 0; c < names.size(); c++) {
          out.writeFieldName(names.get(c));
          out.writeRawValue(readers.get(c).readLine());
        }
        out.writeEndObject();
        out.writeRaw('\n');
      }
    } finally {
      for (BufferedReader reader : readers) {
        reader.close();
      }
    }
    return rows;
  }

  private static void checkRows(long rows, long maxRows) {
    if (rows > maxRows) {
      throw new InvalidRequestException(
          "'entities' has more than "
              + maxRows
              + " rows; a request may carry at most "
              + maxRows
              + " (fletch serve --max-historical-rows): write larger entity sets to a"
              + " file and run fletch historical");
    }
  }

  private static void checkScalar(JsonToken v, String where) {
    if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
      throw new InvalidRequestException(
          where + " must be a number, a string, a boolean or null; got " + describe(v));
    }
  }

  /** A JSON token's kind in words. */
  static String describe(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.asString() == null ? token.name() : token.asString();
    };
  }

  private static String locationOf(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    return at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  private static String text(JsonParser p, JsonToken value, String field) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_STRING) {
      throw new InvalidRequestException("'" + field + "' must be a string; got " + describe(value));
    }
    return p.getText();
  }

  private static List<String> strings(JsonParser p, JsonToken value, String field)
      throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return List.of();
    }
    if (value != JsonToken.START_ARRAY) {
      String got = describe(value);
      if (value == JsonToken.VALUE_STRING) {
        got += " (\"" + p.getText() + "\")";
      }
      throw new InvalidRequestException(
          "'"
              + field
              + "' must be an array of strings, e.g. [\"customer_profile:age\","
              + " \"customer_profile:*\"]; got "
              + got);
    }
    List<String> out = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        throw new InvalidRequestException(
            field + "[" + out.size() + "] must be a string; got " + describe(p.currentToken()));
      }
      out.add(p.getText());
    }
    return out;
  }

  /** Entity rows read back from a JSON-lines spool file, one row in memory at a time. */
  record SpooledRows(Path file) implements Iterable<Map<String, Object>> {
    @Override
    public Iterator<Map<String, Object>> iterator() {
      BufferedReader reader;
      try {
        reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the spooled entity rows", e);
      }
      return new Iterator<>() {
        private String next = read();

        private String read() {
          try {
            String line = reader.readLine();
            if (line == null) {
              reader.close();
            }
            return line;
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read the spooled entity rows", e);
          }
        }

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public Map<String, Object> next() {
          if (next == null) {
            throw new NoSuchElementException();
          }
          Map<String, Object> row = new JsonObject(next).getMap();
          next = read();
          return row;
        }
      };
    }
  }
}
