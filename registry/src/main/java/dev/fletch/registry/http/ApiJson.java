package dev.fletch.registry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fletch.core.DefinitionJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP API's JSON convention: snake_case names everywhere ({@code join_keys}, {@code
 * content_hash}, {@code feature_views}), as the serving routes and the YAML write them. Definitions
 * are stored in {@link DefinitionJson}'s own form (its field names feed content hashes and never
 * change); this mapper only renames at the edge.
 *
 * <p>Request bodies written for the camelCase names of earlier versions ({@code featureViews},
 * {@code joinKeys}, {@code expectedVersion}) are still read: {@link #snakeCaseKeys} renames them
 * before binding. The keys of maps that hold data ({@code tags}, {@code field_mapping}) are never
 * renamed.
 */
final class ApiJson {
  private static final PropertyNamingStrategies.NamingBase SNAKE =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

  private static final ObjectMapper MAPPER =
      DefinitionJson.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  /** Fields whose values are maps of user data: their keys are names of tags and columns. */
  private static final Set<String> DATA_MAPS = Set.of("tags", "field_mapping");

  private ApiJson() {}

  static ObjectMapper mapper() {
    return MAPPER;
  }

  /** {@code name} in snake_case: {@code joinKeys} -> {@code join_keys}; snake_case unchanged. */
  static String snake(String name) {
    return SNAKE.translate(name);
  }

  /**
   * {@code node} with every object key in snake_case, except the keys of data maps; a key given
   * both ways keeps the snake_case one's value.
   */
  static JsonNode snakeCaseKeys(JsonNode node) {
    if (node instanceof ArrayNode array) {
      ArrayNode out = array.arrayNode();
      array.forEach(e -> out.add(snakeCaseKeys(e)));
      return out;
    }
    if (!(node instanceof ObjectNode object)) {
      return node;
    }
    ObjectNode out = object.objectNode();
    List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
    object.fields().forEachRemaining(fields::add);
    // snake_case keys first, so they win over an old spelling of the same field
    for (boolean snakeFirst : new boolean[] {true, false}) {
      for (Map.Entry<String, JsonNode> f : fields) {
        String key = snake(f.getKey());
        if (key.equals(f.getKey()) != snakeFirst || out.has(key)) {
          continue;
        }
        out.set(key, DATA_MAPS.contains(key) ? f.getValue() : snakeCaseKeys(f.getValue()));
      }
    }
    return out;
  }
}
