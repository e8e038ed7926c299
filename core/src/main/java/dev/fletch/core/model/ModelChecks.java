package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.Durations;
import dev.fletch.core.expr.ExprParser;
import dev.fletch.core.expr.ExprPrinter;
import dev.fletch.core.expr.ExpressionException;
import dev.fletch.core.expr.Expressions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The rules every single definition obeys, whatever it was written in: names are plain identifiers,
 * durations are bounded and not negative, expressions parse and use only what is allowed, paths
 * hold no control characters. The YAML loader applies them with file positions; the registry
 * applies them to every apply, over any transport, so that nothing the YAML validator forbids can
 * be stored by another route.
 */
public final class ModelChecks {
  // Names end up as SQL identifiers, Redis fields and column names; keeping them plain identifiers
  // means no quoting surprises anywhere and no SQL smuggled in through a name.
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  public static final int MAX_NAME_LENGTH = 128;

  private ModelChecks() {}

  /** Null when {@code name} is a valid identifier, else why not. */
  public static String nameProblem(String name) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      return "'"
          + printable(name)
          + "' is not a valid name: use letters, digits and _, not starting with a digit";
    }
    if (name.length() > MAX_NAME_LENGTH) {
      return "'"
          + name.substring(0, 20)
          + "...' is too long (at most "
          + MAX_NAME_LENGTH
          + " characters)";
    }
    return null;
  }

  /** Null when {@code d} is a usable ttl or schedule, else why not. */
  public static String durationProblem(Duration d) {
    if (d == null) {
      return null;
    }
    if (d.isNegative()) {
      return "is negative (" + d + ")";
    }
    if (d.compareTo(Durations.MAX) > 0) {
      return "is longer than the longest allowed, " + Durations.format(Durations.MAX);
    }
    return null;
  }

  /**
   * {@code repo} with every expression in canonical form; every problem found is handed to {@code
   * problems} as {@code where: what} and the definitions concerned are left as they were.
   */
  public static FeatureRepo check(FeatureRepo repo, Consumer<String> problems) {
    requireNonNull(repo, "repo is null");
    requireNonNull(problems, "problems is null");
    name("project", repo.project(), problems);
    for (Entity e : repo.entities()) {
      String at = "entities[" + printable(e.name()) + "]";
      name(at, e.name(), problems);
      for (JoinKey k : e.joinKeys()) {
        name(at + ".join_keys", k.name(), problems);
        if (!k.type().isJoinKeyType()) {
          problems.accept(at + ".join_keys: type must be INT32, INT64 or STRING, not " + k.type());
        }
      }
    }
    for (Source s : repo.sources()) {
      String at = "sources[" + printable(s.name()) + "]";
      name(at, s.name(), problems);
      name(at + ".timestamp_field", s.timestampField(), problems);
      if (s.createdTimestampField() != null && !s.createdTimestampField().isBlank()) {
        name(at + ".created_timestamp_field", s.createdTimestampField(), problems);
      }
      for (Map.Entry<String, String> m : s.fieldMapping().entrySet()) {
        name(at + ".field_mapping", m.getValue(), problems);
        if (hasControl(m.getKey())) {
          problems.accept(at + ".field_mapping: a column name has a control character");
        }
      }
      if (s.path().isBlank()) {
        problems.accept(at + ".path: is empty");
      } else if (hasControl(s.path())) {
        problems.accept(at + ".path: has a control character");
      }
      if (s.pushLog() != null
          && (s.pushLog().isBlank()
              || hasControl(s.pushLog())
              || s.pushLog().contains("://")
              || s.pushLog().matches(".*[*?\\[{].*"))) {
        problems.accept(at + ".push_log: must be a local folder (no URL, no glob)");
      }
      if (s.csv() != null) {
        if (s.format() != SourceFormat.CSV) {
          problems.accept(at + ".csv: options for sources of type csv only");
        }
        for (String p : s.csv().problems()) {
          problems.accept(at + ".csv." + p);
        }
      }
      if (s.stream() != null) {
        StreamSpec st = s.stream();
        if (!st.topic().matches("[A-Za-z0-9._-]{1,249}")) {
          problems.accept(at + ".stream.topic: letters, digits, '.', '_' and '-' only");
        }
        if (hasControl(st.bootstrapServers()) || st.bootstrapServers().isBlank()) {
          problems.accept(at + ".stream.bootstrap_servers: host:port[,host:port...]");
        }
        if (!st.format().equals("json") && !st.format().equals("avro")) {
          problems.accept(at + ".stream.format: must be json or avro");
        }
        if (st.format().equals("avro") == (st.schema() == null)) {
          problems.accept(at + ".stream.schema: avro streams need one, json streams have none");
        }
        if (st.schema() != null && (hasControl(st.schema()) || st.schema().contains("://"))) {
          problems.accept(at + ".stream.schema: must be a local file");
        }
        if (st.groupId() != null && !st.groupId().matches("[A-Za-z0-9._-]{1,249}")) {
          problems.accept(at + ".stream.group_id: letters, digits, '.', '_' and '-' only");
        }
        if (st.timestampField() != null) {
          name(at + ".stream.timestamp_field", st.timestampField(), problems);
        }
        for (String mapped : st.fieldMapping().values()) {
          name(at + ".stream.field_mapping", mapped, problems);
        }
      }
    }
    List<FeatureView> views = new ArrayList<>();
    for (FeatureView v : repo.featureViews()) {
      views.add(view(v, problems));
    }
    List<OnDemandFeatureView> odfvs = new ArrayList<>();
    for (OnDemandFeatureView o : repo.onDemandFeatureViews()) {
      odfvs.add(onDemandView(o, problems));
    }
    for (FeatureService s : repo.featureServices()) {
      name("feature_services[" + printable(s.name()) + "]", s.name(), problems);
    }
    return new FeatureRepo(
        repo.project(),
        repo.entities(),
        repo.sources(),
        views,
        repo.featureServices(),
        repo.root(),
        odfvs);
  }

  private static OnDemandFeatureView onDemandView(
      OnDemandFeatureView o, Consumer<String> problems) {
    String at = "on_demand_feature_views[" + printable(o.name()) + "]";
    name(at, o.name(), problems);
    java.util.Set<String> fields = new java.util.HashSet<>();
    for (RequestField f : o.requestFields()) {
      name(at + ".request_fields", f.name(), problems);
      if (!fields.add(f.name())) {
        problems.accept(at + ".request_fields: duplicate '" + printable(f.name()) + "'");
      }
    }
    for (String v : o.views()) {
      name(at + ".views", v, problems);
    }
    if (o.features().isEmpty()) {
      problems.accept(at + ".features: an on-demand feature view needs at least one feature");
    }
    List<Feature> features = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Feature f : o.features()) {
      String fat = at + ".features[" + printable(f.name()) + "]";
      name(fat, f.name(), problems);
      if (!names.add(f.name()) || fields.contains(f.name())) {
        problems.accept(fat + ": the name is taken by another feature or a request field");
      }
      String expression = f.expression();
      if (expression == null || expression.isBlank()) {
        problems.accept(fat + ".expression: an on-demand feature needs an expression");
      } else {
        try {
          expression = ExprPrinter.print(ExprParser.parse(expression));
        } catch (ExpressionException e) {
          problems.accept(fat + ".expression: " + e.getMessage());
        }
      }
      features.add(new Feature(f.name(), f.type(), expression, f.description(), f.tags()));
    }
    return new OnDemandFeatureView(
        o.name(), o.requestFields(), o.views(), features, o.description(), o.owner(), o.tags());
  }

  private static FeatureView view(FeatureView v, Consumer<String> problems) {
    String at = "feature_views[" + printable(v.name()) + "]";
    name(at, v.name(), problems);
    String ttl = durationProblem(v.ttl());
    if (ttl != null) {
      problems.accept(at + ".ttl: " + ttl);
    }
    String lateness = durationProblem(v.lateness());
    if (lateness != null) {
      problems.accept(at + ".lateness: " + lateness);
    } else if (v.lateness() != null && v.aggregated()) {
      problems.accept(at + ".lateness: an aggregated view re-reads its windows at every job");
    }
    String schedule = durationProblem(v.schedule());
    if (schedule != null) {
      problems.accept(at + ".schedule: " + schedule);
    } else if (v.schedule() != null && v.schedule().isZero()) {
      problems.accept(at + ".schedule: must be longer than 0 (leave it out for none)");
    }
    if (v.monitoring() != null) {
      v.monitoring().problems().forEach(p -> problems.accept(at + ".monitoring." + p));
    }
    if (v.aggregated()) {
      return aggregatedView(v, at, problems).withMonitoring(v.monitoring());
    }
    List<Feature> features = new ArrayList<>();
    for (Feature f : v.features()) {
      String fat = at + ".features[" + printable(f.name()) + "]";
      name(fat, f.name(), problems);
      features.add(
          new Feature(
              f.name(),
              f.type(),
              expression(fat, f.expression(), problems),
              f.description(),
              f.tags()));
    }
    return v.withFeatures(features);
  }

  /** The expression in canonical form (null stays null); a problem when it does not parse. */
  private static String expression(String at, String expression, Consumer<String> problems) {
    if (expression == null || expression.isBlank()) {
      return expression;
    }
    try {
      return ExprPrinter.print(Expressions.parseRowExpression(expression));
    } catch (ExpressionException e) {
      problems.accept(at + ".expression: " + e.getMessage());
      return expression;
    }
  }

  /** The rules the YAML reader applies to aggregations, for definitions that come another way. */
  private static FeatureView aggregatedView(FeatureView v, String at, Consumer<String> problems) {
    String hopProblem = durationProblem(v.hop());
    long hop = v.hop().toMillis();
    if (hopProblem != null) {
      problems.accept(at + ".hop: " + hopProblem);
    } else if (hop <= 0) {
      problems.accept(at + ".hop: must be longer than 0");
    }
    if (v.hasTtl()) {
      problems.accept(at + ".ttl: an aggregated view has no ttl");
    }
    List<Aggregation> aggregations = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Aggregation a : v.aggregations()) {
      String aat = at + ".aggregations[" + printable(a.name()) + "]";
      name(aat, a.name(), problems);
      if (!names.add(a.name())) {
        problems.accept(aat + ": duplicate feature name");
      }
      if (a.column() != null) {
        name(aat + ".column", a.column(), problems);
      }
      String window = durationProblem(a.window());
      if (window != null) {
        problems.accept(aat + ".window: " + window);
      } else if (a.window().isZero() || a.window().isNegative()) {
        problems.accept(aat + ".window: must be longer than 0");
      } else if (hop > 0 && a.window().toMillis() % hop != 0) {
        problems.accept(aat + ".window: not a multiple of the hop");
      }
      if (a.countsEvents() && a.function() != AggregationFunction.COUNT) {
        problems.accept(aat + ": " + a.function().key() + " needs a column or an expression");
      } else if (!a.countsEvents() && !a.function().accepts(a.inputType())) {
        problems.accept(
            aat
                + ": "
                + a.function().key()
                + " cannot aggregate "
                + a.inputType()
                + ": it takes "
                + a.function().inputs());
      }
      aggregations.add(
          new Aggregation(
              a.name(),
              a.function(),
              a.column(),
              expression(aat, a.expression(), problems),
              a.inputType(),
              a.window()));
    }
    return v.withAggregations(aggregations);
  }

  private static void name(String at, String name, Consumer<String> problems) {
    String why = nameProblem(name);
    if (why != null) {
      problems.accept(at + ": " + why);
    }
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(Character::isISOControl);
  }

  /** A name as it may be shown in a message: control characters escaped, long ones cut. */
  static String printable(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 60; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return s.length() > 60 ? b + "..." : b.toString();
  }
}
