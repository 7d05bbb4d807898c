package dev.chorus.node.internal.portmap;

import java.util.Objects;

/** A gateway did not do what was asked; {@link #failure()} says what kind of no it was. */
public final class MappingException extends Exception {
  private static final long serialVersionUID = 1L;
  private final MappingFailure failure;

  public MappingException(MappingFailure failure, String message) {
    super(message);
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  public MappingException(MappingFailure failure, String message, Throwable cause) {
    super(message, cause);
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  public MappingFailure failure() {
    return failure;
  }
}
