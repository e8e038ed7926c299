package dev.fletch.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ValueTypeTest {
  @Test
  void listTypesKnowTheirElementTypeAndScalarsAreTheirOwn() {
    assertTrue(ValueType.DOUBLE_LIST.isList());
    assertEquals(ValueType.DOUBLE, ValueType.DOUBLE_LIST.elementType());
    assertEquals(ValueType.STRING, ValueType.STRING_LIST.elementType());
    assertFalse(ValueType.TIMESTAMP.isList());
    assertEquals(ValueType.TIMESTAMP, ValueType.TIMESTAMP.elementType());
    for (ValueType t : ValueType.values()) {
      assertEquals(t.name().endsWith("_LIST"), t.isList(), t.name());
      assertEquals(
          t.isList() ? t.name().replace("_LIST", "") : t.name(), t.elementType().name(), t.name());
    }
  }

  @Test
  void parsesYamlSpellings() {
    assertEquals(Optional.of(ValueType.FLOAT_LIST), ValueType.parse(" list<float> "));
    assertEquals(Optional.of(ValueType.INT64_LIST), ValueType.parse("ARRAY<int64>"));
    assertEquals(Optional.of(ValueType.BOOL), ValueType.parse("bool"));
    assertEquals(Optional.empty(), ValueType.parse("decimal"));
  }
}
