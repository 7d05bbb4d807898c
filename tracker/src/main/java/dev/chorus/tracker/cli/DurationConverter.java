package dev.chorus.tracker.cli;

import dev.chorus.protocol.time.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations on the command line, in the grammar of {@link Durations}: {@code 500ms}, {@code 30s},
 * {@code 10m}, {@code 2h}, {@code 1d}, {@code 1.5h}, or ISO-8601 ({@code PT10M}).
 */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
