package dev.chorus.protocol.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ChunkRequest;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.Priority;
import dev.chorus.testing.leaks.NoLeaks;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class SecureChannelEmbeddedTest {
  private static final PeerMessage REQUEST = PeerMessage.newBuilder()
      .setChunkRequest(ChunkRequest.newBuilder().setRequestId(1)
          .setTrackId(ByteString.copyFrom(new byte[32])).setFirstIndex(0).setCount(8)
          .setPriority(Priority.PLAYBACK))
      .build();

  private static PeerMessage chunk(int index, int size) {
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      data[i] = (byte) (i * 31 + index);
    }
    return PeerMessage.newBuilder()
        .setChunkData(ChunkData.newBuilder().setRequestId(1).setIndex(index).setData(ByteString.copyFrom(data)))
        .build();
  }

  @Test
  void handshakeAuthenticatesBothSidesAndHellosAreExchanged() throws Exception {
    try (EmbeddedPair pair = new EmbeddedPair(1)) {
      pair.pump();
      PeerIdentity seenByInitiator = pair.initiatorNoise().handshakeFuture().get();
      PeerIdentity seenByResponder = pair.responderNoise().handshakeFuture().get();
      assertArrayEquals(pair.responderKey.publicKey(), seenByInitiator.staticKey());
      assertArrayEquals(pair.initiatorKey.publicKey(), seenByResponder.staticKey());
      assertEquals(seenByResponder, pair.responder.attr(NoiseHandler.REMOTE_IDENTITY).get());

      Hello hello = pair.responder.attr(HelloHandler.REMOTE_HELLO).get();
      assertEquals(HelloHandler.PROTOCOL_VERSION, hello.getProtocolVersion());
      assertEquals(4000, hello.getListenPort());
      assertInstanceOf(NoiseHandshakeCompletionEvent.class, pair.responderApp.events.get(0));
    }
  }

  @Test
  void messagesWrittenDuringTheHandshakeAreDeliveredAfterItInOrder() {
    try (EmbeddedPair pair = new EmbeddedPair(2)) {
      pair.send(pair.initiator, REQUEST);
      pair.send(pair.initiator, chunk(0, 16384));
      pair.send(pair.initiator, chunk(1, 200_000)); // spans several Noise records
      pair.pump();
      List<PeerMessage> got = pair.responderApp.messagesOf(PeerMessage.class);
      assertEquals(4, got.size());
      assertTrue(got.get(0).hasHello(), "hello comes first");
      assertEquals(REQUEST, got.get(1));
      assertEquals(chunk(0, 16384), got.get(2));
      assertEquals(chunk(1, 200_000), got.get(3));
      assertTrue(pair.initiator.isOpen() && pair.responder.isOpen());
    }
  }

  @Test
  void rekeyingKeepsBothSidesInStep() {
    try (EmbeddedPair pair = new EmbeddedPair(3, b -> b.rekeyIntervalMessages(3), b -> b.rekeyIntervalMessages(3))) {
      pair.pump();
      for (int i = 0; i < 20; i++) {
        pair.send(pair.initiator, chunk(i, 1000));
        pair.send(pair.responder, chunk(i, 1000));
        pair.pump();
      }
      assertEquals(21, pair.responderApp.messagesOf(PeerMessage.class).size());
      assertEquals(21, pair.initiatorApp.messagesOf(PeerMessage.class).size());
    }
  }

  @Test
  void tamperedCiphertextEndsTheConnectionWithDecryptFailed() {
    try (EmbeddedPair pair = new EmbeddedPair(4)) {
      pair.pump();
      pair.send(pair.initiator, REQUEST);
      ByteBuf record = pair.initiator.readOutbound();
      record.setByte(record.readerIndex() + 5, record.getByte(record.readerIndex() + 5) ^ 0x01);
      pair.responder.writeInbound(record);
      pair.pump();

      assertEndedWith(pair, ErrorCode.DECRYPT_FAILED);
      assertFalse(pair.responderApp.messagesOf(PeerMessage.class).contains(REQUEST));
    }
  }

  @Test
  void replayedRecordEndsTheConnectionWithDecryptFailed() {
    try (EmbeddedPair pair = new EmbeddedPair(5)) {
      pair.pump();
      pair.send(pair.initiator, REQUEST);
      ByteBuf record = pair.initiator.readOutbound();
      ByteBuf replay = record.copy();
      pair.responder.writeInbound(record);
      pair.responder.writeInbound(replay);
      pair.pump();

      assertEquals(1, pair.responderApp.messagesOf(PeerMessage.class).stream().filter(REQUEST::equals).count());
      assertEndedWith(pair, ErrorCode.DECRYPT_FAILED);
    }
  }

  @Test
  void pinnedKeyMismatchFailsTheHandshakeBeforeTheInitiatorRevealsItself() {
    byte[] someoneElse = NoiseKeyPair.generateX25519(EmbeddedPair.seeded(99)).publicKey();
    try (EmbeddedPair pair = new EmbeddedPair(6, b -> b.pinnedRemoteKey(someoneElse), b -> b)) {
      pair.pump();
      ProtocolException initiatorError = handshakeError(pair.initiatorNoise());
      assertEquals(ErrorCode.AUTHENTICATION_FAILED, initiatorError.code());
      assertEquals(ErrorCode.HANDSHAKE_FAILED, handshakeError(pair.responderNoise()).code());
      assertNull(pair.responder.attr(NoiseHandler.REMOTE_IDENTITY).get(), "responder never learned who called");
      assertFalse(pair.initiator.isOpen());
      assertFalse(pair.responder.isOpen());
      assertEquals(ErrorCode.AUTHENTICATION_FAILED, EmbeddedPair.closeReason(pair.initiator).code());
    }
  }

  @Test
  void pinnedKeyMatchSucceeds() throws Exception {
    try (EmbeddedPair pair = new EmbeddedPair(7)) {
      byte[] responderKey = pair.responderKey.publicKey();
      try (EmbeddedPair pinned = new EmbeddedPair(7, b -> b.pinnedRemoteKey(responderKey), b -> b)) {
        pinned.pump();
        assertArrayEquals(responderKey, pinned.initiatorNoise().handshakeFuture().get().staticKey());
      }
    }
  }

  @Test
  void truncatedHandshakeFailsWithHandshakeFailed() {
    try (EmbeddedPair pair = new EmbeddedPair(8)) {
      ByteBuf first = pair.initiator.readOutbound();
      pair.responder.writeInbound(first.readRetainedSlice(first.readableBytes() / 2));
      first.release();
      pair.responder.close(); // the stream ends mid-message
      ProtocolException error = handshakeError(pair.responderNoise());
      assertEquals(ErrorCode.HANDSHAKE_FAILED, error.code());
      assertEquals(ErrorCode.HANDSHAKE_FAILED, EmbeddedPair.closeReason(pair.responder).code());
    }
  }

  @Test
  void garbageHandshakeFailsWithHandshakeFailed() {
    try (EmbeddedPair pair = new EmbeddedPair(9)) {
      ByteBuf first = pair.initiator.readOutbound();
      first.setByte(first.readerIndex() + 2, first.getByte(first.readerIndex() + 2) ^ 0xff);
      pair.responder.writeInbound(first);
      pair.pump();
      // Message 1 of XX is in clear (an ephemeral key), so the responder cannot tell yet; the
      // initiator finds out when message 2 fails to authenticate.
      assertEquals(ErrorCode.HANDSHAKE_FAILED, handshakeError(pair.initiatorNoise()).code());
      assertFalse(pair.initiator.isOpen());
      assertFalse(pair.responder.isOpen());
    }
  }

  @Test
  void handshakeTimesOut() {
    try (EmbeddedPair pair = new EmbeddedPair(10)) {
      pair.initiator.<ByteBuf>readOutbound().release(); // message 1 never arrives
      pair.responder.advanceTimeBy(11, TimeUnit.SECONDS);
      pair.responder.runScheduledPendingTasks();
      assertEquals(ErrorCode.HANDSHAKE_TIMEOUT, handshakeError(pair.responderNoise()).code());
      assertFalse(pair.responder.isOpen());
    }
  }

  @Test
  void removingTheHandlerMidHandshakeFailsTheHandshakeAndThePendingWrites() {
    try (EmbeddedPair pair = new EmbeddedPair(11)) {
      pair.initiator.<ByteBuf>readOutbound().release();
      ChannelFuture pending = pair.initiator.writeAndFlush(pair.initiator.alloc().buffer(4).writeInt(7));
      pair.initiator.pipeline().remove(ChorusPipeline.NOISE);
      assertEquals(ErrorCode.HANDSHAKE_FAILED, handshakeError(pair.initiatorNoise()).code());
      assertInstanceOf(ProtocolException.class, pending.cause());
      assertEquals(ErrorCode.INTERNAL_ERROR, ((ProtocolException) pending.cause()).code());
    }
  }

  @Test
  void removingTheHandlerAfterTheHandshakeLeavesItSucceeded() throws Exception {
    try (EmbeddedPair pair = new EmbeddedPair(12)) {
      pair.pump();
      pair.responder.pipeline().remove(ChorusPipeline.NOISE);
      assertTrue(pair.responderNoise().handshakeFuture().isSuccess());
      assertArrayEquals(pair.initiatorKey.publicKey(), pair.responderNoise().handshakeFuture().get().staticKey());
    }
  }

  @Test
  void messageBeforeHelloIsUnexpected() {
    try (EmbeddedPair pair = new EmbeddedPair(11)) {
      pair.initiator.pipeline().remove(ChorusPipeline.HELLO); // a peer that skips its hello
      pair.send(pair.initiator, REQUEST);
      pair.pump();
      assertEndedWith(pair, ErrorCode.UNEXPECTED_MESSAGE);
    }
  }

  @Test
  void oversizedFrameInsideTheEncryptedStreamEndsWithFrameTooLarge() {
    try (EmbeddedPair pair = new EmbeddedPair(12, b -> b.maxFrameBytes(4 << 20), b -> b)) {
      pair.pump();
      pair.send(pair.initiator, chunk(0, (1 << 20) + 100));
      pair.pump();
      assertEndedWith(pair, ErrorCode.FRAME_TOO_LARGE);
    }
  }

  @Test
  void sendingAnOversizedMessageFailsTheWriteAndSendsNothing() {
    try (EmbeddedPair pair = new EmbeddedPair(13)) {
      pair.pump();
      var future = pair.initiator.writeAndFlush(chunk(0, (1 << 20) + 100));
      assertFalse(future.isSuccess());
      assertNull(pair.initiator.readOutbound());
    }
  }

  @Test
  void goodbyeFromTheRemoteClosesWithItsReason() {
    try (EmbeddedPair pair = new EmbeddedPair(14)) {
      pair.pump();
      pair.send(pair.initiator, dev.chorus.protocol.message.Envelope.PEER.goodbye(ErrorCode.SHUTTING_DOWN, "bye"));
      pair.pump();
      CloseReason reason = EmbeddedPair.closeReason(pair.responder);
      assertNotNull(reason);
      assertEquals(ErrorCode.SHUTTING_DOWN, reason.code());
      assertFalse(reason.isLocal());
      assertEquals("bye", reason.detail());
      assertFalse(pair.responder.isOpen());
    }
  }

  @Test
  void chachaPolyWorksToo() {
    try (EmbeddedPair pair = new EmbeddedPair(15,
        b -> b.protocolName(SecureChannelConfig.CHACHA_PROTOCOL), b -> b.protocolName(SecureChannelConfig.CHACHA_PROTOCOL))) {
      List<PeerMessage> sent = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        sent.add(chunk(i, 16384));
        pair.send(pair.initiator, sent.get(i));
      }
      pair.pump();
      assertEquals(sent, pair.responderApp.messagesOf(PeerMessage.class).subList(1, 6));
    }
  }

  /** The responder detected {@code code} and said so; the initiator got the goodbye; both closed. */
  private static void assertEndedWith(EmbeddedPair pair, ErrorCode code) {
    CloseReason detected = EmbeddedPair.closeReason(pair.responder);
    assertNotNull(detected, "responder recorded a close reason");
    assertEquals(code, detected.code());
    assertTrue(detected.isLocal());
    assertFalse(pair.responder.isOpen());

    List<PeerMessage> atInitiator = pair.initiatorApp.messagesOf(PeerMessage.class);
    PeerMessage last = atInitiator.get(atInitiator.size() - 1);
    assertTrue(last.hasGoodbye(), "the initiator received a goodbye, got " + last);
    assertEquals(code, last.getGoodbye().getReason());
    CloseReason told = EmbeddedPair.closeReason(pair.initiator);
    assertEquals(code, told.code());
    assertFalse(told.isLocal());
    assertFalse(pair.initiator.isOpen());
  }

  private static ProtocolException handshakeError(NoiseHandler handler) {
    assertTrue(handler.handshakeFuture().isDone(), "handshake finished");
    Throwable cause = handler.handshakeFuture().cause();
    assertNotNull(cause, "handshake failed");
    return assertInstanceOf(ProtocolException.class, cause);
  }
}
