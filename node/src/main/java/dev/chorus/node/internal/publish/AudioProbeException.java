package dev.chorus.node.internal.publish;

/** A file that cannot be published: unreadable, not audio, or an unsupported format. */
public final class AudioProbeException extends Exception {
  private static final long serialVersionUID = 1L;

  public AudioProbeException(String message) {
    super(message);
  }

  public AudioProbeException(String message, Throwable cause) {
    super(message, cause);
  }
}
