package dev.chorus.protocol.message;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Goodbye;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.TrackerMessage;

/**
 * The top-level message of one protocol: every frame carries exactly one envelope, whose oneof
 * names the actual message. The peer and tracker protocols have one each; the generic layers
 * (codec, goodbye handling) work with either through this description.
 *
 * @param <T> the envelope type
 */
public abstract class Envelope<T extends MessageLite> {
  /** The peer protocol's envelope. */
  public static final Envelope<PeerMessage> PEER = new PeerEnvelope();
  /** The tracker protocol's envelope. */
  public static final Envelope<TrackerMessage> TRACKER = new TrackerEnvelope();

  /** Bound on Goodbye.detail and Error.detail, in UTF-8 bytes. */
  public static final int MAX_DETAIL_BYTES = 256;

  Envelope() {}

  /** Name for logs: "peer" or "tracker". */
  public abstract String name();

  public abstract Class<T> type();

  abstract Parser<T> parser();

  /** True when no message is set in the envelope's oneof. */
  abstract boolean isEmpty(T message);

  /** The Goodbye carried by {@code message}, or null if it carries something else. */
  public abstract Goodbye goodbyeOf(T message);

  /** The Hello carried by {@code message}, or null if it carries something else. */
  public abstract Hello helloOf(T message);

  public abstract T wrap(Goodbye goodbye);

  public abstract T wrap(Hello hello);

  /** Builds the envelope for a goodbye with that reason. */
  public final T goodbye(ErrorCode reason, String detail) {
    return wrap(Goodbye.newBuilder().setReason(reason).setDetail(truncate(detail)).build());
  }

  /** Short name of the message in the envelope, for logs and metrics tags. */
  public abstract String kindOf(T message);

  /** Goodbye.detail is at most 256 bytes of UTF-8 on the wire; cut on a code point boundary. */
  static String truncate(String detail) {
    if (detail == null) {
      return "";
    }
    int bytes = 0;
    int end = 0;
    while (end < detail.length()) {
      int cp = detail.codePointAt(end);
      int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + size > MAX_DETAIL_BYTES) {
        break;
      }
      bytes += size;
      end += Character.charCount(cp);
    }
    return detail.substring(0, end);
  }

  private static final class PeerEnvelope extends Envelope<PeerMessage> {
    @Override
    public String name() {
      return "peer";
    }

    @Override
    public Class<PeerMessage> type() {
      return PeerMessage.class;
    }

    @Override
    Parser<PeerMessage> parser() {
      return PeerMessage.parser();
    }

    @Override
    boolean isEmpty(PeerMessage message) {
      return message.getBodyCase() == PeerMessage.BodyCase.BODY_NOT_SET;
    }

    @Override
    public Goodbye goodbyeOf(PeerMessage message) {
      return message.hasGoodbye() ? message.getGoodbye() : null;
    }

    @Override
    public Hello helloOf(PeerMessage message) {
      return message.hasHello() ? message.getHello() : null;
    }

    @Override
    public PeerMessage wrap(Goodbye goodbye) {
      return PeerMessage.newBuilder().setGoodbye(goodbye).build();
    }

    @Override
    public PeerMessage wrap(Hello hello) {
      return PeerMessage.newBuilder().setHello(hello).build();
    }

    @Override
    public String kindOf(PeerMessage message) {
      return message.getBodyCase().name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static final class TrackerEnvelope extends Envelope<TrackerMessage> {
    @Override
    public String name() {
      return "tracker";
    }

    @Override
    public Class<TrackerMessage> type() {
      return TrackerMessage.class;
    }

    @Override
    Parser<TrackerMessage> parser() {
      return TrackerMessage.parser();
    }

    @Override
    boolean isEmpty(TrackerMessage message) {
      return message.getBodyCase() == TrackerMessage.BodyCase.BODY_NOT_SET;
    }

    @Override
    public Goodbye goodbyeOf(TrackerMessage message) {
      return message.hasGoodbye() ? message.getGoodbye() : null;
    }

    @Override
    public Hello helloOf(TrackerMessage message) {
      return message.hasHello() ? message.getHello() : null;
    }

    @Override
    public TrackerMessage wrap(Goodbye goodbye) {
      return TrackerMessage.newBuilder().setGoodbye(goodbye).build();
    }

    @Override
    public TrackerMessage wrap(Hello hello) {
      return TrackerMessage.newBuilder().setHello(hello).build();
    }

    @Override
    public String kindOf(TrackerMessage message) {
      return message.getBodyCase().name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
