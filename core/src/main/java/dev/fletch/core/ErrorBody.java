package dev.fletch.core;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one error shape of every HTTP route (serving, push, historical, registry, health, unknown
 * paths, wrong methods, oversized bodies), as plain maps and lists that any JSON writer encodes:
 *
 * <pre>{@code
 * {"error": {"code": "INVALID_ARGUMENT", "message": "...",
 *            "problems": [{"file": "views.yaml", "line": 3, "column": 5, "message": "..."}]}}
 * }</pre>
 *
 * {@code code} is the gRPC status name the same failure gets over gRPC; {@code problems} lists
 * definition problems (empty otherwise); a failure may add fields of its own (a breaking apply adds
 * {@code breaking} and {@code plan}).
 */
public final class ErrorBody {
  private ErrorBody() {}

  /** A failure's kind, named as gRPC names it, with the HTTP status it usually answers. */
  public enum Code {
    INVALID_ARGUMENT(400),
    UNAUTHENTICATED(401),
    PERMISSION_DENIED(403),
    NOT_FOUND(404),
    UNIMPLEMENTED(405),
    FAILED_PRECONDITION(409),
    INTERNAL(500),
    UNAVAILABLE(503);

    private final int httpStatus;

    Code(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    public int httpStatus() {
      return httpStatus;
    }
  }

  /** The message of every INTERNAL answer: a bug's details belong in the server log only. */
  public static final String INTERNAL_MESSAGE = "internal error; the server log has the details";

  /** The kind of {@code error}, by its exception class: precise for every Fletch failure. */
  public static Code codeOf(Throwable error) {
    if (error instanceof NotFoundException) {
      return Code.NOT_FOUND;
    }
    if (error instanceof InvalidRequestException
        || error instanceof DefinitionException
        || error instanceof IllegalArgumentException) {
      return Code.INVALID_ARGUMENT;
    }
    if (error instanceof UnavailableException) {
      return Code.UNAVAILABLE;
    }
    if (error instanceof ConflictException) {
      return Code.FAILED_PRECONDITION;
    }
    if (error instanceof AccessDeniedException) {
      return Code.PERMISSION_DENIED;
    }
    return Code.INTERNAL;
  }

  /** The HTTP status for {@code error}. */
  public static int httpStatus(Throwable error) {
    return codeOf(error).httpStatus();
  }

  /**
   * The body for {@code error}: its code, its message (the generic {@link #INTERNAL_MESSAGE} for
   * bugs) and, for invalid definitions, their problems.
   */
  public static Map<String, Object> of(Throwable error) {
    requireNonNull(error, "error is null");
    Code code = codeOf(error);
    String message =
        code == Code.INTERNAL
            ? INTERNAL_MESSAGE
            : error.getMessage() == null ? error.toString() : error.getMessage();
    List<Problem> problems = error instanceof DefinitionException d ? d.problems() : List.of();
    return of(code, message, problems, Map.of());
  }

  /** A body without problems. */
  public static Map<String, Object> of(Code code, String message) {
    return of(code, message, List.of(), Map.of());
  }

  /** A body with {@code problems} and further fields of the error object ({@code extra}). */
  public static Map<String, Object> of(
      Code code, String message, List<Problem> problems, Map<String, Object> extra) {
    requireNonNull(code, "code is null");
    requireNonNull(message, "message is null");
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code.name());
    // A message may name a store by its URL: never with its credentials.
    error.put("message", Secrets.mask(message));
    List<Object> listed = new ArrayList<>(problems.size());
    for (Problem p : problems) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("file", p.file());
      one.put("line", p.line());
      one.put("column", p.column());
      one.put("message", p.message());
      listed.add(one);
    }
    error.put("problems", listed);
    error.putAll(extra);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    return body;
  }
}
