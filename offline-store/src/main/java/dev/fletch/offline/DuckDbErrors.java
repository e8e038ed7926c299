package dev.fletch.offline;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import java.sql.SQLException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Maps DuckDB failures onto Fletch's exception kinds, keeping DuckDB's message and the cause. */
final class DuckDbErrors {
  private DuckDbErrors() {}

  static FletchException translate(String context, SQLException e) {
    String full = e.getMessage() == null ? "" : e.getMessage();
    String message = firstLine(e.getMessage());
    String csv = csvError(full);
    String text = context + ": " + (csv != null ? csv : message);
    // Data and definition problems the caller can fix; anything else is an internal failure.
    if (message.startsWith("Conversion Error")
        || message.startsWith("Binder Error")
        || message.startsWith("Parser Error")
        || message.startsWith("Invalid Input Error")
        || message.startsWith("IO Error")
        || message.startsWith("Catalog Error")
        || message.startsWith("Out of Range Error")) {
      return new InvalidRequestException(text, e);
    }
    return new FletchException(text, e);
  }

  private static final Pattern CSV_LINE = Pattern.compile("CSV Error on Line: (\\d+)");
  private static final Pattern CSV_FILE = Pattern.compile("(?m)^\\s*file = (.+)$");
  private static final Pattern CSV_CONVERSION =
      Pattern.compile(
          "Error when converting column \"(.*)\"\\. Could not convert string \"(.*)\" to '(.*)'");
  private static final Pattern CSV_FIELDS =
      Pattern.compile("Expected Number of Columns: (\\d+) Found: (\\d+)");
  private static final Pattern CSV_SNIFF = Pattern.compile("Error when sniffing file \"(.*)\"\\.");

  /**
   * DuckDB's multi-line CSV error as one sentence with its cause: file, line, column, value, and
   * what to change in the source's {@code csv:} options; null when {@code message} is not one.
   * DuckDB puts the cause after the first line, which callers would otherwise cut off.
   */
  static String csvError(String message) {
    Matcher sniff = CSV_SNIFF.matcher(message);
    if (sniff.find()) {
      return sniff.group(1)
          + ": DuckDB could not work out how the file is written (delimiter, quote, escape) with"
          + " the options given; check the source's csv: delimiter, quote and escape, and that"
          + " every row has the header's number of fields";
    }
    Matcher line = CSV_LINE.matcher(message);
    if (!line.find()) {
      return null;
    }
    Matcher file = CSV_FILE.matcher(message);
    String where =
        (file.find() ? file.group(1).strip() : "the CSV file") + " line " + line.group(1);
    Matcher conversion = CSV_CONVERSION.matcher(message);
    if (conversion.find()) {
      String column = conversion.group(1);
      String value = abbreviate(conversion.group(2));
      String type = fletchType(conversion.group(3));
      boolean detected = message.contains("auto-detected");
      return where
          + ", column "
          + column
          + ": cannot read \""
          + value
          + "\" as "
          + type
          + (detected
              ? " (DuckDB took the column for "
                  + type
                  + " from the file's first rows; if \""
                  + value
                  + "\" means a missing value, list it in the source's csv: null_strings, else"
                  + " declare the column's type in csv: types, e.g. {"
                  + column
                  + ": STRING})"
              : " (the type the source's csv: types declares for it; fix the value, list it in"
                  + " csv: null_strings, or change the type)");
    }
    Matcher fields = CSV_FIELDS.matcher(message);
    if (fields.find()) {
      return where
          + ": "
          + fields.group(2)
          + " fields where the header has "
          + fields.group(1)
          + " (a delimiter or quote inside a value? check the source's csv: delimiter and quote)";
    }
    String first = firstLine(message);
    return where + ": " + first.substring(first.indexOf(line.group(1)) + line.group(1).length());
  }

  /** DuckDB's name of a type as the YAML writes it, where they differ. */
  private static String fletchType(String duck) {
    return switch (duck.toUpperCase(Locale.ROOT)) {
      case "BIGINT" -> "INT64";
      case "INTEGER" -> "INT32";
      case "VARCHAR" -> "STRING";
      case "BOOLEAN" -> "BOOL";
      case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> "TIMESTAMP";
      default -> duck;
    };
  }

  private static String abbreviate(String value) {
    return value.length() <= 60 ? value : value.substring(0, 57) + "...";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
