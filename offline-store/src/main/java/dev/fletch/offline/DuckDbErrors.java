package dev.fletch.offline;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import java.sql.SQLException;

/** Maps DuckDB failures onto Fletch's exception kinds, keeping DuckDB's message and the cause. */
final class DuckDbErrors {
  private DuckDbErrors() {}

  static FletchException translate(String context, SQLException e) {
    String message = firstLine(e.getMessage());
    String text = context + ": " + message;
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

  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
