package dev.chorus.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.message.MessageCodec;
import dev.chorus.protocol.wire.PeerMessage;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeerWireTest {
  private final Random random = new Random(16);

  private byte[] chunk(int size) {
    byte[] b = new byte[size];
    random.nextBytes(b);
    return b;
  }

  @Test
  void aDecodedChunkIsTakenWithoutAnotherCopy() throws Exception {
    byte[] sent = chunk(16 << 10);
    MessageCodec<PeerMessage> codec = new MessageCodec<>(Envelope.PEER);
    PeerMessage message = PeerWire.data(7, 3, sent);
    ByteBuffer frame = ByteBuffer.allocate(codec.encodedSize(message));
    codec.encode(message, frame);
    frame.flip();

    ByteString data = codec.decode(frame).getChunkData().getData();
    byte[] received = PeerWire.chunkBytes(data);

    assertArrayEquals(sent, received);
    assertSame(received, PeerWire.chunkBytes(data), "the field's own array, not a copy");
    // The frame buffer is not aliased: overwriting it leaves the chunk as received.
    java.util.Arrays.fill(frame.array(), (byte) 0);
    assertArrayEquals(sent, received);
  }

  @Test
  void partOfALargerArrayIsCopied() {
    byte[] backing = chunk(1000);
    ByteString part = ByteString.copyFrom(backing).substring(10, 900);

    byte[] taken = PeerWire.chunkBytes(part);

    assertArrayEquals(part.toByteArray(), taken);
    assertNotSame(taken, PeerWire.chunkBytes(part));
  }

  @Test
  void aStringOfPiecesIsCopiedWhole() {
    byte[] a = chunk(3000);
    byte[] b = chunk(5000);
    ByteString joined = ByteString.copyFrom(a).concat(ByteString.copyFrom(b));

    byte[] taken = PeerWire.chunkBytes(joined);

    byte[] expected = new byte[8000];
    System.arraycopy(a, 0, expected, 0, 3000);
    System.arraycopy(b, 0, expected, 3000, 5000);
    assertArrayEquals(expected, taken);
  }
}
