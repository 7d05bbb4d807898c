package dev.chorus.node.internal.cli;

/**
 * A user error (bad file, missing tool, port in use...): printed as one line {@code <command>:
 * <message>}, without a stack trace, and the command exits with {@link #exitCode()}.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
