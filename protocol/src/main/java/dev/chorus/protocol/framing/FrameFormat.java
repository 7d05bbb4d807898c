package dev.chorus.protocol.framing;

/**
 * How frames are delimited: a big-endian unsigned length prefix of {@link #headerBytes()} bytes
 * followed by that many body bytes, at most {@link #maxBodyBytes()}.
 *
 * <p>Chorus uses two formats, one inside the other: {@link #noiseRecords()} carries Noise
 * messages on the TCP stream (2-byte prefix, at most 65535 bytes, the Noise limit), and
 * {@link #messages(int)} carries protocol messages in the decrypted byte stream (4-byte prefix,
 * default maximum 1 MiB). A message frame may therefore span several Noise records.
 */
public final class FrameFormat {
  /** Default maximum body of a message frame: 1 MiB. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;
  /** The largest Noise message, ciphertext and tag included (Noise spec section 3). */
  public static final int NOISE_MAX_MESSAGE_BYTES = 65535;
  /** Upper bound on any configurable message maximum: 64 MiB. */
  public static final int MAX_CONFIGURABLE_MESSAGE_BYTES = 64 << 20;

  private static final FrameFormat NOISE_RECORDS = new FrameFormat(2, NOISE_MAX_MESSAGE_BYTES);

  private final int headerBytes;
  private final int maxBodyBytes;

  private FrameFormat(int headerBytes, int maxBodyBytes) {
    this.headerBytes = headerBytes;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Noise records on the wire: 2-byte length, body at most 65535 bytes. */
  public static FrameFormat noiseRecords() {
    return NOISE_RECORDS;
  }

  /**
   * Protocol message frames: 4-byte length, body at most {@code maxBodyBytes}.
   *
   * @throws IllegalArgumentException unless 1 ≤ maxBodyBytes ≤ 64 MiB
   */
  public static FrameFormat messages(int maxBodyBytes) {
    if (maxBodyBytes < 1 || maxBodyBytes > MAX_CONFIGURABLE_MESSAGE_BYTES) {
      throw new IllegalArgumentException(
          "maxFrameBytes must be between 1 and " + MAX_CONFIGURABLE_MESSAGE_BYTES + ", was " + maxBodyBytes);
    }
    return new FrameFormat(4, maxBodyBytes);
  }

  /** Protocol message frames with the default 1 MiB maximum. */
  public static FrameFormat messages() {
    return messages(DEFAULT_MAX_MESSAGE_BYTES);
  }

  public int headerBytes() {
    return headerBytes;
  }

  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  @Override
  public String toString() {
    return "FrameFormat[header=" + headerBytes + "B, max=" + maxBodyBytes + "B]";
  }
}
