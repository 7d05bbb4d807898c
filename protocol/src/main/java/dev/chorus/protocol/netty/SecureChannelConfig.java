package dev.chorus.protocol.netty;

import dev.chorus.protocol.framing.FrameFormat;
import dev.chorus.protocol.noise.NoiseDh;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.noise.NoiseProtocolName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one end of a Chorus secure channel: who we are (static key), whom we expect
 * (optional pinned remote key), which Noise protocol, and the bounds on what we accept. Immutable;
 * built and validated once with {@link #builder}.
 */
public final class SecureChannelConfig {
  /** The protocol every Chorus node speaks. */
  public static final String DEFAULT_PROTOCOL = "Noise_XX_25519_AESGCM_SHA256";
  /** The second supported cipher, for machines without AES instructions. */
  public static final String CHACHA_PROTOCOL = "Noise_XX_25519_ChaChaPoly_SHA256";
  /** Bound into the handshake hash, so a Chorus v1 handshake cannot be replayed elsewhere. */
  static final byte[] PROLOGUE = "chorus/v1".getBytes(StandardCharsets.US_ASCII);

  private final NoiseKeyPair localStatic;
  private final String protocolName;
  private final byte[] pinnedRemoteKey;
  private final int maxFrameBytes;
  private final Duration handshakeTimeout;
  private final long rekeyIntervalMessages;

  private SecureChannelConfig(Builder b) {
    this.localStatic = b.localStatic;
    this.protocolName = b.protocolName;
    this.pinnedRemoteKey = b.pinnedRemoteKey;
    this.maxFrameBytes = b.maxFrameBytes;
    this.handshakeTimeout = b.handshakeTimeout;
    this.rekeyIntervalMessages = b.rekeyIntervalMessages;
  }

  public static Builder builder(NoiseKeyPair localStatic) {
    return new Builder(localStatic);
  }

  public NoiseKeyPair localStatic() {
    return localStatic;
  }

  public String protocolName() {
    return protocolName;
  }

  /** The remote static key we insist on, or null to accept any (and learn it). */
  public byte[] pinnedRemoteKey() {
    return pinnedRemoteKey == null ? null : pinnedRemoteKey.clone();
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  public FrameFormat frameFormat() {
    return FrameFormat.messages(maxFrameBytes);
  }

  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  public long rekeyIntervalMessages() {
    return rekeyIntervalMessages;
  }

  /** A copy of this config that pins {@code remoteKey} (e.g. one config per outgoing connection). */
  public SecureChannelConfig withPinnedRemoteKey(byte[] remoteKey) {
    return toBuilder().pinnedRemoteKey(remoteKey).build();
  }

  public Builder toBuilder() {
    Builder b = new Builder(localStatic);
    b.protocolName = protocolName;
    b.pinnedRemoteKey = pinnedRemoteKey;
    b.maxFrameBytes = maxFrameBytes;
    b.handshakeTimeout = handshakeTimeout;
    b.rekeyIntervalMessages = rekeyIntervalMessages;
    return b;
  }

  /** Builder; every setter validates at {@link #build()} with a message naming the setting. */
  public static final class Builder {
    private final NoiseKeyPair localStatic;
    private String protocolName = DEFAULT_PROTOCOL;
    private byte[] pinnedRemoteKey;
    private int maxFrameBytes = FrameFormat.DEFAULT_MAX_MESSAGE_BYTES;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private long rekeyIntervalMessages = 1L << 20;

    private Builder(NoiseKeyPair localStatic) {
      this.localStatic = Objects.requireNonNull(localStatic, "localStatic");
    }

    /** Noise protocol name; {@link #DEFAULT_PROTOCOL} or {@link #CHACHA_PROTOCOL}. */
    public Builder protocolName(String protocolName) {
      this.protocolName = Objects.requireNonNull(protocolName, "protocolName");
      return this;
    }

    /** Only a peer holding this static key may complete the handshake. */
    public Builder pinnedRemoteKey(byte[] remoteKey) {
      this.pinnedRemoteKey = remoteKey == null ? null : remoteKey.clone();
      return this;
    }

    /** Largest message frame accepted or sent, in bytes (default 1 MiB). */
    public Builder maxFrameBytes(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
      return this;
    }

    /** How long the handshake may take before the connection is closed (default 10 s). */
    public Builder handshakeTimeout(Duration handshakeTimeout) {
      this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
      return this;
    }

    /**
     * Both directions rekey after this many messages (default 2^20; 0 = never). Both ends must
     * use the same value: rekeying is implicit, by message count, not signalled on the wire.
     */
    public Builder rekeyIntervalMessages(long rekeyIntervalMessages) {
      this.rekeyIntervalMessages = rekeyIntervalMessages;
      return this;
    }

    public SecureChannelConfig build() {
      NoiseProtocolName name;
      try {
        name = NoiseProtocolName.parse(protocolName);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("protocolName: " + e.getMessage(), e);
      }
      if (!name.basePattern().equals("XX") || !name.pskModifiers().isEmpty() || name.dh() != NoiseDh.X25519) {
        throw new IllegalArgumentException("protocolName must use the XX pattern over 25519, e.g. "
            + DEFAULT_PROTOCOL + " or " + CHACHA_PROTOCOL + "; was " + protocolName);
      }
      if (pinnedRemoteKey != null && pinnedRemoteKey.length != 32) {
        throw new IllegalArgumentException(
            "pinnedRemoteKey must be a 32-byte X25519 public key, was " + pinnedRemoteKey.length + " bytes");
      }
      if (maxFrameBytes < 1024 || maxFrameBytes > FrameFormat.MAX_CONFIGURABLE_MESSAGE_BYTES) {
        throw new IllegalArgumentException(
            "maxFrameBytes must be between 1024 and " + FrameFormat.MAX_CONFIGURABLE_MESSAGE_BYTES + ", was " + maxFrameBytes);
      }
      if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
        throw new IllegalArgumentException("handshakeTimeout must be positive, was " + handshakeTimeout);
      }
      if (rekeyIntervalMessages < 0) {
        throw new IllegalArgumentException("rekeyIntervalMessages must be >= 0, was " + rekeyIntervalMessages);
      }
      return new SecureChannelConfig(this);
    }
  }

  @Override
  public String toString() {
    return "SecureChannelConfig[" + protocolName + ", pinned=" + (pinnedRemoteKey != null)
        + ", maxFrameBytes=" + maxFrameBytes + ", handshakeTimeout=" + handshakeTimeout
        + ", rekeyIntervalMessages=" + rekeyIntervalMessages + "]";
  }
}
