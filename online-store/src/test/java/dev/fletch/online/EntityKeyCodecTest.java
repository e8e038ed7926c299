package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.fletch.core.model.EntityKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntityKeyCodecTest {
  @Test
  void integerAndStringKeysAreDistinctAndEscaped() {
    assertEquals(
        "fletch:payments:customer_id=i1001",
        EntityKeyCodec.redisKey("payments", EntityKey.of("customer_id", 1001)));
    assertEquals(
        "fletch:payments:customer_id=s1001",
        EntityKeyCodec.redisKey("payments", EntityKey.of("customer_id", "1001")));
    assertEquals(
        "fletch:my%20proj:k=sa%2Cb%3Dc%7Bx%7D%3A%C3%A9",
        EntityKeyCodec.redisKey("my proj", EntityKey.of("k", "a,b=c{x}:é")));
  }

  @Test
  void compositeKeysAreSortedByName() {
    EntityKey a = new EntityKey(List.of("merchant_id", "customer_id"), List.of(7, "c-1"));
    EntityKey b = new EntityKey(List.of("customer_id", "merchant_id"), List.of("c-1", 7));
    assertEquals("customer_id=sc-1,merchant_id=i7", EntityKeyCodec.entity(a));
    assertEquals(EntityKeyCodec.entity(a), EntityKeyCodec.entity(b));
  }

  @Test
  void separatorsInValuesCannotCollide() {
    EntityKey one = new EntityKey(List.of("a", "b"), List.of("x,b=sy", "z"));
    EntityKey two = new EntityKey(List.of("a", "b"), List.of("x", "y,b=sz"));
    assertNotEquals(EntityKeyCodec.entity(one), EntityKeyCodec.entity(two));
  }
}
