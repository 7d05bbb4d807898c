package dev.chorus.protocol.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Any text as a duration (command lines, scenario files): a {@link Duration} or an {@link
 * IllegalArgumentException} with a message, never anything else; a non-negative result formats to
 * text that parses back to it. Seeds in {@code DurationsFuzzTestInputs/}; for a fuzzing run see
 * README.md (Testing).
 */
class DurationsFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void parsesOrRefusesWithAMessage(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      assertNotNull(e.getMessage());
      return;
    }
    if (!d.isNegative() && d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) <= 0) {
      assertEquals(d, Durations.parse(Durations.format(d)), "format then parse");
    }
  }
}
