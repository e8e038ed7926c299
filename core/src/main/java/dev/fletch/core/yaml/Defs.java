package dev.fletch.core.yaml;

import dev.fletch.core.model.DefinitionPath;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.Source;
import dev.fletch.core.yaml.MappingReader.Located;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the YAML files declared, with locations, before cross-checking. A model object is null when
 * its own mapping had a problem; its name and references are still kept so that checks across
 * objects do not report follow-on errors (a view whose entity failed to parse does not also get
 * "unknown entity").
 */
final class Defs {
  record Project(String name, Loc at) {}

  record EntityDef(String name, Loc at, Entity entity) {}

  record SourceDef(String name, Loc at, Source source, MappingReader fields) {}

  record FeatureDef(String name, Loc at, Feature feature) {}

  record ViewDef(
      String name,
      Loc at,
      FeatureView view,
      List<Located> entities,
      Located source,
      List<FeatureDef> features) {}

  record ServiceDef(String name, Loc at, FeatureService service, List<Located> refs) {}

  /**
   * One on-demand feature as written: {@code expression} the text (positions in problems refer to
   * it), {@code fields} its mapping, for those positions.
   */
  record OnDemandFeatureDef(
      String name, Loc at, Feature feature, String expression, MappingReader fields) {}

  /**
   * {@code readable}: what of the view could be read (for checking its expressions even when
   * another part of it has a problem); {@code view} only when all of it could.
   */
  record OnDemandDef(
      String name,
      Loc at,
      OnDemandFeatureView view,
      OnDemandFeatureView readable,
      List<Located> views,
      List<OnDemandFeatureDef> features) {}

  final List<Project> projects = new ArrayList<>();
  final Map<String, EntityDef> entities = new LinkedHashMap<>();
  final Map<String, SourceDef> sources = new LinkedHashMap<>();
  final Map<String, ViewDef> views = new LinkedHashMap<>();
  final Map<String, ServiceDef> services = new LinkedHashMap<>();
  final Map<String, OnDemandDef> onDemandViews = new LinkedHashMap<>();

  /** Where parts of the definitions are written, by {@link DefinitionPath} text (first wins). */
  final Map<String, Loc> locations = new java.util.HashMap<>();

  void locate(DefinitionPath path, Loc at) {
    if (at != null) {
      locations.putIfAbsent(path.toString(), at);
    }
  }

  /** Registers a definition under its name, or reports a duplicate naming both places. */
  static <T> void put(
      Map<String, T> byName,
      String kind,
      String name,
      Loc at,
      T def,
      Loc firstAt,
      Problems problems) {
    if (firstAt != null) {
      problems.add(at, "duplicate " + kind + " '" + name + "' (also defined at " + firstAt + ")");
    } else {
      byName.put(name, def);
    }
  }
}
