package dev.fletch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void masksJdbcPasswordsAndKeepsWhereTheDatabaseIs() {
    assertEquals(
        "jdbc:postgresql://127.0.0.1:15433/fletch?user=fletch&password=***",
        Secrets.url("jdbc:postgresql://127.0.0.1:15433/fletch?user=fletch&password=fletchpw"));
    assertEquals(
        "jdbc:postgresql://db/fletch?password=***&sslmode=require&sslpassword=***",
        Secrets.url("jdbc:postgresql://db/fletch?password=a&sslmode=require&sslpassword=b"));
    assertEquals(
        "jdbc:sqlserver://db:1433;databaseName=f;user=sa;Password=***;encrypt=true",
        Secrets.url("jdbc:sqlserver://db:1433;databaseName=f;user=sa;Password=x!y;encrypt=true"));
    assertEquals(
        "jdbc:mysql://fletch:***@db:3306/fletch",
        Secrets.url("jdbc:mysql://fletch:pw@db:3306/fletch"));
  }

  @Test
  void masksRedisUserPasswordAndBarePassword() {
    assertEquals("redis://app:***@cache:6379/0", Secrets.url("redis://app:s3cret@cache:6379/0"));
    assertEquals("rediss://:***@cache:6380", Secrets.url("rediss://:s3cret@cache:6380"));
    // Redis reads user-info without ':' as the password
    assertEquals("redis://***@cache:6379", Secrets.url("redis://s3cret@cache:6379"));
    assertEquals(
        "redis-cluster://app:***@h1:7000,h2:7001?timeout=2s",
        Secrets.url("redis-cluster://app:s3cret@h1:7000,h2:7001?timeout=2s"));
    // an unencoded '@' in the password does not leave its tail behind
    assertEquals("redis://app:***@cache:6379", Secrets.url("redis://app:p@ss@cache:6379"));
  }

  @Test
  void masksTokensAndKeysInQueriesAndFreeText() {
    assertEquals(
        "https://h/x?access_token=***&page=2",
        Secrets.url("https://h/x?access_token=abc.def&page=2"));
    assertEquals(
        "s3://bucket/p?aws_secret_access_key=*** region=eu",
        Secrets.mask("s3://bucket/p?aws_secret_access_key=AKxyz region=eu"));
    assertEquals(
        "error: cannot reach jdbc:postgresql://h/db?user=u&password=*** (Connection refused)",
        Secrets.mask(
            "error: cannot reach jdbc:postgresql://h/db?user=u&password=pw (Connection refused)"));
    assertEquals("api_key=*** client_secret=***", Secrets.mask("api_key=k1 client_secret=k2"));
    // a message's ': ' after the URL stays, a ':' inside the password goes with it
    assertEquals(
        "cannot reach jdbc:postgresql://h/db?password=***: Connection attempt timed out.",
        Secrets.mask(
            "cannot reach jdbc:postgresql://h/db?password=a:b: Connection attempt timed out."));
  }

  @Test
  void leavesOrdinaryTextAlone() {
    for (String plain :
        new String[] {
          "redis://cache:6379",
          "jdbc:postgresql://db:5432/fletch?user=fletch&sslmode=require",
          "jdbc:sqlite:/tmp/x/.fletch/registry.db",
          "customer_id=1001 bypass=1 tokens_per_second=5",
          "mail me at ops@example.com",
          "materialized 1,000 rows in 2.1 s",
        }) {
      assertEquals(plain, Secrets.mask(plain));
    }
    assertNull(Secrets.mask(null));
  }

  @Test
  void aMaskingStreamMasksEveryLineAndShowsPromptsOnFlush() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream out = Secrets.maskingStream(sink);
    out.println("registry: jdbc:postgresql://h/db?user=u&password=hunter2");
    out.print("redis://u:hunter2@h:6379 ok\npartial password=hunter2");
    out.flush();
    out.print("Apply? [y/N] ");
    out.flush();
    String text = sink.toString(StandardCharsets.UTF_8);
    assertFalse(text.contains("hunter2"), text);
    assertEquals(
        "registry: jdbc:postgresql://h/db?user=u&password=***\n"
            + "redis://u:***@h:6379 ok\n"
            + "partial password=***Apply? [y/N] ",
        text);
  }
}
