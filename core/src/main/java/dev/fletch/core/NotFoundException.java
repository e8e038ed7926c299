package dev.fletch.core;

/** A named object (project, entity, view, feature, service, version, job) does not exist. */
public class NotFoundException extends FletchException {
  private final String kind;
  private final String name;

  public NotFoundException(String kind, String name) {
    this(kind, name, null);
  }

  public NotFoundException(String kind, String name, String hint) {
    super(
        kind
            + " '"
            + name
            + "' not found"
            + (hint == null || hint.isEmpty() ? "" : " (" + hint + ")"));
    this.kind = kind;
    this.name = name;
  }

  public String kind() {
    return kind;
  }

  public String name() {
    return name;
  }
}
