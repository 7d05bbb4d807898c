package dev.chorus.tracker.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Byte sizes on the command line: a whole number with an optional binary suffix, {@code 512m}, {@code 1g}, {@code 64k}. */
final class ByteSizeConverter implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    int shift = 0;
    if (v.endsWith("k") || v.endsWith("m") || v.endsWith("g")) {
      shift = v.endsWith("k") ? 10 : v.endsWith("m") ? 20 : 30;
      v = v.substring(0, v.length() - 1);
    }
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a byte size (e.g. 1048576, 64k, 512m, 1g)");
    }
    if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
      throw new TypeConversionException("'" + value + "' is out of range");
    }
    return n << shift;
  }
}
