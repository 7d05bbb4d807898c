package dev.chorus.node.internal.publish;

import java.io.IOException;

/** A program the publisher runs (ffprobe) is not installed; the message says how to install it. */
public final class ToolMissingException extends IOException {
  private static final long serialVersionUID = 1L;

  public ToolMissingException(String message, Throwable cause) {
    super(message, cause);
  }
}
