package dev.fletch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesUnitsCombinationsZeroAndIso() {
    assertEquals(Duration.ofDays(30), Durations.parse("30d"));
    assertEquals(Duration.ofHours(12), Durations.parse("12h"));
    assertEquals(Duration.ofMinutes(15), Durations.parse("15m"));
    assertEquals(Duration.ofSeconds(90), Durations.parse("90s"));
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofDays(14), Durations.parse("2w"));
    assertEquals(Duration.ofHours(36), Durations.parse("1d12h"));
    assertEquals(Duration.ofMinutes(61).plusMillis(5), Durations.parse("1h 1m 5ms"));
    assertEquals(Duration.ZERO, Durations.parse("0"));
    assertEquals(Duration.ofHours(1), Durations.parse("PT1H"));
    assertEquals(Duration.ofDays(2), Durations.parse("P2D"));
  }

  @Test
  void rejectsNegativeUnitlessAndGarbage() {
    assertTrue(
        assertThrows(InvalidRequestException.class, () -> Durations.parse("-1d"))
            .getMessage()
            .contains("negative"));
    assertTrue(
        assertThrows(InvalidRequestException.class, () -> Durations.parse("PT-1H"))
            .getMessage()
            .contains("negative"));
    assertTrue(
        assertThrows(InvalidRequestException.class, () -> Durations.parse("30"))
            .getMessage()
            .contains("no unit"));
    assertThrows(InvalidRequestException.class, () -> Durations.parse("30x"));
    assertThrows(InvalidRequestException.class, () -> Durations.parse("d"));
    assertThrows(InvalidRequestException.class, () -> Durations.parse("1.5h"));
    assertThrows(InvalidRequestException.class, () -> Durations.parse(""));
    assertThrows(InvalidRequestException.class, () -> Durations.parse("P1X"));
  }

  @Test
  void formatIsTheShortFormAndParsesBack() {
    assertEquals("0", Durations.format(Duration.ZERO));
    assertEquals("1d12h", Durations.format(Duration.ofHours(36)));
    assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
    for (String s : new String[] {"30d", "1h1m5s", "15m", "2d3h4m5s6ms"}) {
      assertEquals(s, Durations.format(Durations.parse(s)));
    }
  }
}
