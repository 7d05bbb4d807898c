package dev.chorus.protocol.message;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.wire.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Sans-IO codec between one frame body and one envelope message. Decoding refuses bodies that are
 * not valid protobuf, envelopes with no message set, and nesting deeper than the protocol needs.
 * Stateless and thread-safe.
 *
 * @param <T> the envelope type
 */
public final class MessageCodec<T extends MessageLite> {
  /** Our messages nest at most four deep; anything deeper is an attack on the parser's stack. */
  private static final int RECURSION_LIMIT = 16;

  private final Envelope<T> envelope;

  public MessageCodec(Envelope<T> envelope) {
    this.envelope = envelope;
  }

  public Envelope<T> envelope() {
    return envelope;
  }

  /**
   * Parses one frame body (all of {@code body}'s remaining bytes).
   *
   * @throws ProtocolException {@code MALFORMED_MESSAGE} if the bytes are not a valid envelope,
   *     {@code EMPTY_MESSAGE} if the envelope carries no message
   */
  public T decode(ByteBuffer body) throws ProtocolException {
    T message;
    try {
      CodedInputStream in = CodedInputStream.newInstance(body);
      in.setRecursionLimit(RECURSION_LIMIT);
      // No aliasing: the frame buffer is pooled and released right after decoding, so ByteString
      // fields (chunk data) must own their bytes.
      in.enableAliasing(false);
      message = envelope.parser().parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new ProtocolException(
          ErrorCode.MALFORMED_MESSAGE, "not a valid " + envelope.name() + " message: " + e.getMessage(), e);
    }
    if (envelope.isEmpty(message)) {
      throw new ProtocolException(
          ErrorCode.EMPTY_MESSAGE, "a " + envelope.name() + " envelope with no message set");
    }
    return message;
  }

  /** Size of the encoded form of {@code message}. */
  public int encodedSize(T message) {
    return message.getSerializedSize();
  }

  /** Writes {@code message} at {@code out}'s position, which must have room for it. */
  public void encode(T message, ByteBuffer out) {
    CodedOutputStream stream = CodedOutputStream.newInstance(out);
    try {
      message.writeTo(stream);
      stream.flush();
    } catch (IOException e) {
      throw new IllegalStateException("buffer too small for " + envelope.name() + " message", e);
    }
  }
}
