package dev.fletch.core;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * How URLs (and text that may hold one) are shown to people: the one place that hides credentials.
 * Every log line, error message, job record and CLI output that can carry a store or registry URL
 * goes through {@link #mask}: passwords in {@code user:password@}, a Redis URL's bare {@code
 * password@}, and query or JDBC parameters that name a secret ({@code password=}, {@code
 * sslpassword=}, {@code token=}, {@code access_token=}, {@code api_key=}, {@code secret=}, {@code
 * client_secret=}, ...) become {@code ***}. Hosts, ports, databases and other parameters stay, so
 * the message still says where.
 */
public final class Secrets {
  /** What a hidden secret reads as. */
  public static final String MASK = "***";

  // scheme://user:password@  (the password runs to the last '@' before the path or a blank)
  private static final Pattern USER_PASSWORD =
      Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/\\s:@]*):([^/\\s]*)@");

  // redis://password@host: Redis reads a user-info without ':' as the password.
  private static final Pattern REDIS_BARE_PASSWORD =
      Pattern.compile("(?i)\\b(rediss?(?:-cluster)?://)([^/\\s:@]+)@");

  // name=value pairs whose name is or contains a secret word (client_secret, access_token,
  // aws_secret_access_key ...), in a query string, a JDBC URL (; separated) or free text.
  private static final Pattern SECRET_PARAMETER =
      Pattern.compile(
          "(?i)(?<![A-Za-z0-9_.-])((?:[A-Za-z0-9]+[_.-])*"
              + "(?:password|passwd|pwd|pass|secret|token|apikey|api[_-]key|access[_-]key"
              + "|sslpassword|credentials?|signature|auth)"
              + "(?:[_.-][A-Za-z0-9]+)*)=([^&;\\s\"'<>,]*?)(?=$|[&;\\s\"'<>,]|:(?:\\s|$))");

  private Secrets() {}

  /**
   * A URL as people may see it, e.g. {@code
   * jdbc:postgresql://db:5432/fletch?user=fletch&password=***} or {@code
   * redis://app:***@cache:6379/0}. Null stays null.
   */
  public static String url(String url) {
    return mask(url);
  }

  /** Text (a message, a log line, a stack trace) with every credential of a URL in it masked. */
  public static String mask(String text) {
    if (text == null || text.isEmpty() || !mayHoldSecret(text)) {
      return text;
    }
    String out = USER_PASSWORD.matcher(text).replaceAll("$1$2:" + MASK + "@");
    out = REDIS_BARE_PASSWORD.matcher(out).replaceAll("$1" + MASK + "@");
    return SECRET_PARAMETER.matcher(out).replaceAll("$1=" + MASK);
  }

  /** Cheap pre-check: only text with '@' or '=' can hold what {@link #mask} hides. */
  private static boolean mayHoldSecret(String text) {
    return text.indexOf('@') >= 0 || text.indexOf('=') >= 0;
  }

  /**
   * A stream that writes what it is given with {@link #mask} applied line by line, to {@code out}.
   * A line is held until its end or a flush (so a prompt without a newline still shows).
   */
  public static PrintStream maskingStream(OutputStream out) {
    if (out instanceof MaskingPrintStream already) {
      return already;
    }
    return new MaskingPrintStream(new LineMasker(out));
  }

  private static final class MaskingPrintStream extends PrintStream {
    MaskingPrintStream(LineMasker out) {
      super(out, true, StandardCharsets.UTF_8);
    }
  }

  /** Buffers a line, masks it, passes it on. */
  private static final class LineMasker extends FilterOutputStream {
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    LineMasker(OutputStream out) {
      super(out);
    }

    @Override
    public synchronized void write(int b) throws IOException {
      line.write(b);
      if (b == '\n') {
        emit();
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      int start = off;
      for (int i = off; i < off + len; i++) {
        if (b[i] == '\n') {
          line.write(b, start, i + 1 - start);
          emit();
          start = i + 1;
        }
      }
      line.write(b, start, off + len - start);
    }

    private void emit() throws IOException {
      if (line.size() == 0) {
        return;
      }
      String text = line.toString(StandardCharsets.UTF_8);
      line.reset();
      out.write(mask(text).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void flush() throws IOException {
      emit();
      out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
      flush();
      out.close();
    }
  }
}
