package dev.fletch.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh, empty PostgreSQL database for one test class. Found, in order: the server at {@code
 * FLETCH_TEST_POSTGRES_URL} (a JDBC URL; user and password in the URL), a local server on
 * 127.0.0.1:5432 (user {@code postgres}), or a Testcontainers container where Docker works;
 * otherwise it fails saying how to get one. On a server it did not start, it creates a database
 * with a unique name and drops it on {@link #close()}.
 */
public final class PostgresDatabase implements AutoCloseable {
  public static final String URL_ENV = "FLETCH_TEST_POSTGRES_URL";

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final Runnable onClose;

  PostgresDatabase(String jdbcUrl, String user, String password, Runnable onClose) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.onClose = onClose;
  }

  public static PostgresDatabase create() {
    String env = System.getenv(URL_ENV);
    if (env != null && !env.isBlank()) {
      return fresh(env.trim(), null, null);
    }
    String local = "jdbc:postgresql://127.0.0.1:5432/postgres";
    if (reachable(local, "postgres", null)) {
      return fresh(local, "postgres", null);
    }
    PostgresDatabase fromDocker = Containers.postgres();
    if (fromDocker != null) {
      return fromDocker;
    }
    throw new IllegalStateException(
        "No PostgreSQL for the registry tests: set "
            + URL_ENV
            + "=jdbc:postgresql://host:port/db?user=..&password=.., or run a local server on "
            + "127.0.0.1:5432 with user postgres (apt-get install -y postgresql), or a Docker engine.");
  }

  /** A JDBC URL that carries user and password, usable as a Fletch registry URL. */
  public String jdbcUrl() {
    StringBuilder url = new StringBuilder(jdbcUrl);
    if (user != null) {
      url.append(jdbcUrl.contains("?") ? '&' : '?').append("user=").append(user);
      if (password != null) {
        url.append("&password=").append(password);
      }
    }
    return url.toString();
  }

  @Override
  public void close() {
    onClose.run();
  }

  private static PostgresDatabase fresh(String serverUrl, String user, String password) {
    String name = "fletch_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute(serverUrl, user, password, "CREATE DATABASE " + name);
    String dbUrl = replaceDatabase(serverUrl, name);
    return new PostgresDatabase(
        dbUrl,
        user,
        password,
        () -> {
          try {
            execute(serverUrl, user, password, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
          } catch (IllegalStateException ignored) {
            // best effort at test shutdown
          }
        });
  }

  static String replaceDatabase(String url, String db) {
    int q = url.indexOf('?');
    String base = q < 0 ? url : url.substring(0, q);
    String params = q < 0 ? "" : url.substring(q);
    int slash = base.indexOf('/', "jdbc:postgresql://".length());
    return (slash < 0 ? base : base.substring(0, slash)) + "/" + db + params;
  }

  private static boolean reachable(String url, String user, String password) {
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void execute(String url, String user, String password, String sql) {
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + url + ": " + e.getMessage(), e);
    }
  }
}
