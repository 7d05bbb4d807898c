package dev.chorus.protocol.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The grammar the tracker's options, the demo's --duration and scenario files share. */
class DurationsTest {
  @Test
  void numbersWithUnits() {
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
    assertEquals(Duration.ofMinutes(10), Durations.parse("10m"));
    assertEquals(Duration.ofMinutes(10), Durations.parse("10min"));
    assertEquals(Duration.ofHours(2), Durations.parse("2h"));
    assertEquals(Duration.ofDays(1), Durations.parse("1d"));
    assertEquals(Duration.ofNanos(1_500_000), Durations.parse("1500us"));
    assertEquals(Duration.ofNanos(1_500_000), Durations.parse("1500µs"));
    assertEquals(Duration.ofNanos(20), Durations.parse("20ns"));
    assertEquals(Duration.ofSeconds(3723), Durations.parse("3723s"));
  }

  @Test
  void fractionsUnderscoresSpacesAndCase() {
    assertEquals(Duration.ofMinutes(90), Durations.parse("1.5h"));
    assertEquals(Duration.ofSeconds(1000), Durations.parse("1_000s"));
    assertEquals(Duration.ofHours(2), Durations.parse("  2 h  "));
    assertEquals(Duration.ofMinutes(10), Durations.parse("10M"), "minutes, as the tracker always read it");
    assertEquals(Duration.ofMillis(500), Durations.parse("500MS"));
    assertEquals(Duration.ofNanos(2), Durations.parse("1.5ns"), "rounded half to even");
  }

  @Test
  void zeroAndIso8601() {
    assertEquals(Duration.ZERO, Durations.parse("0"));
    assertEquals(Duration.ZERO, Durations.parse("0s"));
    assertEquals(Duration.ofMinutes(10), Durations.parse("PT10M"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("PT90M"));
    assertEquals(Duration.ofMinutes(10), Durations.parse("pt10m"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"soon", "", "24x", "10", "-5s", "+5s", "s", "1.s", "1e3s", "1 d 2 h", "P", "PTxM"})
  void whatIsNotADurationSaysWhatOneLooksLike(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    assertEquals("'" + text.strip() + "' is not a duration; write e.g. " + Durations.EXAMPLES, e.getMessage());
  }

  @Test
  void tooLongIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("300000d"));
    assertTrue(e.getMessage().contains("too long"), e.getMessage());
  }

  @Test
  void formatIsTheLargestWholeUnitAndParsesBack() {
    assertEquals("1d", Durations.format(Duration.ofDays(1)));
    assertEquals("90m", Durations.format(Duration.ofMinutes(90)));
    assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
    assertEquals("1500us", Durations.format(Duration.ofNanos(1_500_000)));
    assertEquals("0s", Durations.format(Duration.ZERO));
    for (Duration d : new Duration[] {Duration.ofHours(25), Duration.ofSeconds(3723), Duration.ofNanos(7),
        Duration.ofMillis(1), Duration.ofDays(7)}) {
      assertEquals(d, Durations.parse(Durations.format(d)), d.toString());
    }
  }
}
