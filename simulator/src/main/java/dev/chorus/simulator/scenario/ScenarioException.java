package dev.chorus.simulator.scenario;

/**
 * A scenario that cannot be used: a malformed line, an unknown or duplicate key, a value out of
 * range. The message reads like a compiler's ({@code file:line: what}) and names the key and what
 * is allowed, so that the user can fix the file without reading code.
 */
public final class ScenarioException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final String key;

  /**
   * @param source the file name, or {@code --set} for a command-line override
   * @param line 1-based line number, or 0 when the problem has no single line
   * @param key the key concerned, or null
   */
  ScenarioException(String source, int line, String key, String detail, Throwable cause) {
    super(where(source, line) + detail, cause);
    this.source = source;
    this.line = line;
    this.key = key;
  }

  private static String where(String source, int line) {
    if (source == null) {
      return "";
    }
    return line > 0 ? source + ":" + line + ": " : source + ": ";
  }

  /** The file name, or {@code --set} for a command-line override. */
  public String source() {
    return source;
  }

  /** 1-based line, or 0 when the problem is not on one line. */
  public int line() {
    return line;
  }

  /** The key concerned, or null. */
  public String key() {
    return key;
  }
}
