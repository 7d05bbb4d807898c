package dev.chorus.protocol.manifest;

import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.wire.ErrorCode;
import java.util.Objects;

/**
 * A manifest or chunk that failed parsing or verification. {@link #reason()} says which check
 * failed; {@link #code()} is the wire error code to send: {@link ErrorCode#BAD_CHUNK} for the
 * chunk reasons, {@link ErrorCode#BAD_MANIFEST} for the others.
 */
public final class ManifestException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  /** Which check failed. */
  public enum Reason {
    /** The encoded manifest, its chunk count or its chunk size is above the receiver's limits. */
    TOO_LARGE(ErrorCode.BAD_MANIFEST),
    /** The bytes are not a well-formed manifest (truncated, trailing bytes, bad field...). */
    MALFORMED(ErrorCode.BAD_MANIFEST),
    /** The manifest is well formed but hashes to a different track id than the one asked for. */
    WRONG_TRACK_ID(ErrorCode.BAD_MANIFEST),
    /** The publisher's Ed25519 signature does not verify. */
    BAD_SIGNATURE(ErrorCode.BAD_MANIFEST),
    /** Correctly signed, but by a publisher the verifier was not told to trust. */
    UNTRUSTED_PUBLISHER(ErrorCode.BAD_MANIFEST),
    /** The chunk's SHA-256 is not the one the manifest lists for its index. */
    WRONG_CHUNK(ErrorCode.BAD_CHUNK),
    /** The chunk is not exactly as long as the manifest says chunk {@code index} is. */
    WRONG_CHUNK_LENGTH(ErrorCode.BAD_CHUNK),
    /** The chunk index is negative or not below the manifest's chunk count. */
    CHUNK_INDEX_OUT_OF_RANGE(ErrorCode.BAD_CHUNK);

    private final ErrorCode code;

    Reason(ErrorCode code) {
      this.code = code;
    }

    /** The wire error code for this reason. */
    public ErrorCode code() {
      return code;
    }
  }

  private final Reason reason;

  ManifestException(Reason reason, String message) {
    super(Objects.requireNonNull(reason, "reason").code(), message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "ManifestException[" + reason + "]: " + getMessage();
  }
}
