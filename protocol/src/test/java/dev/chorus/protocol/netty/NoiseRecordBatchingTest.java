package dev.chorus.protocol.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.framing.FrameFormat;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.Ping;
import dev.chorus.testing.leaks.NoLeaks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several writes share a Noise record until a flush or until the next one does not fit; the
 * receiver reads any cut of frames into records.
 */
@ExtendWith(NoLeaks.class)
class NoiseRecordBatchingTest {
  private static final int MAX_RECORD_PLAINTEXT = FrameFormat.NOISE_MAX_MESSAGE_BYTES - 16;

  private static PeerMessage ping(long nonce) {
    return PeerMessage.newBuilder().setPing(Ping.newBuilder().setNonce(nonce)).build();
  }

  private static PeerMessage chunk(int index, int size) {
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      data[i] = (byte) (i * 7 + index);
    }
    return PeerMessage.newBuilder()
        .setChunkData(ChunkData.newBuilder().setRequestId(9).setIndex(index).setData(ByteString.copyFrom(data)))
        .build();
  }

  /** The records the channel has written since the last call: each outbound buffer is one record. */
  private static List<ByteBuf> drainRecords(EmbeddedChannel channel) {
    List<ByteBuf> records = new ArrayList<>();
    ByteBuf record;
    while ((record = channel.readOutbound()) != null) {
      records.add(record);
    }
    return records;
  }

  private static int declaredLength(ByteBuf record) {
    return record.getUnsignedShort(record.readerIndex());
  }

  private static void deliver(List<ByteBuf> records, EmbeddedChannel to) {
    for (ByteBuf record : records) {
      to.writeInbound(record);
    }
  }

  /** The messages after the Hello. */
  private static List<PeerMessage> received(RecordingHandler app) {
    List<PeerMessage> all = app.messagesOf(PeerMessage.class);
    return all.subList(1, all.size());
  }

  /** Bytes of {@code messages} as frames: a 4-byte header each. */
  private static int framed(List<PeerMessage> messages) {
    return messages.stream().mapToInt(m -> 4 + m.getSerializedSize()).sum();
  }

  @Test
  void writesBetweenFlushesShareOneRecord() {
    try (EmbeddedPair pair = new EmbeddedPair(21)) {
      pair.pump();
      List<PeerMessage> sent = new ArrayList<>();
      List<ChannelFuture> writes = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        sent.add(ping(i));
        writes.add(pair.initiator.write(sent.get(i)));
      }
      assertNull(pair.initiator.readOutbound(), "nothing leaves before the flush");
      assertTrue(writes.stream().noneMatch(ChannelFuture::isDone), "no promise completes before its record is written");

      pair.initiator.flush();
      List<ByteBuf> records = drainRecords(pair.initiator);
      assertEquals(1, records.size(), "16 pings in one record");
      assertTrue(writes.stream().allMatch(ChannelFuture::isSuccess));
      deliver(records, pair.responder);
      assertEquals(sent, received(pair.responderApp));
    }
  }

  @Test
  void everyFlushEndsARecord() {
    try (EmbeddedPair pair = new EmbeddedPair(22)) {
      pair.pump();
      for (int i = 0; i < 3; i++) {
        pair.send(pair.initiator, ping(i)); // writeAndFlush: a record each, nothing waits for company
        List<ByteBuf> records = drainRecords(pair.initiator);
        assertEquals(1, records.size());
        deliver(records, pair.responder);
        assertEquals(ping(i), received(pair.responderApp).get(i));
      }
    }
  }

  @Test
  void aMessageThatDoesNotFitStartsTheNextRecordSoNoFrameSpansTwo() {
    try (EmbeddedPair pair = new EmbeddedPair(23)) {
      pair.pump();
      List<PeerMessage> sent = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        sent.add(chunk(i, 10_000)); // three share a record, four would exceed the shared maximum
        pair.initiator.write(sent.get(i));
      }
      pair.initiator.flush();
      List<ByteBuf> records = drainRecords(pair.initiator);
      assertEquals(List.of(framed(sent.subList(0, 3)) + 16, framed(sent.subList(3, 6)) + 16, framed(sent.subList(6, 8)) + 16),
          records.stream().map(NoiseRecordBatchingTest::declaredLength).toList(), "3 + 3 + 2 messages");
      deliver(records, pair.responder);
      assertEquals(sent, received(pair.responderApp));
    }
  }

  @Test
  void recordsOfSeveralMessagesStayWithinTheSharedMaximum() {
    try (EmbeddedPair pair = new EmbeddedPair(32)) {
      pair.pump();
      List<PeerMessage> sent = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        sent.add(chunk(i, 16384)); // two 16 KiB chunks exceed 32 KiB: one per record
        pair.initiator.write(sent.get(i));
      }
      PeerMessage alone = chunk(6, 40_000); // more than the shared maximum, less than a record
      sent.add(alone);
      pair.initiator.write(alone);
      sent.add(ping(7));
      pair.initiator.write(ping(7));
      pair.initiator.flush();
      List<ByteBuf> records = drainRecords(pair.initiator);
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        expected.add(framed(sent.subList(i, i + 1)) + 16);
      }
      expected.add(framed(List.of(ping(7))) + 16);
      assertEquals(expected, records.stream().map(NoiseRecordBatchingTest::declaredLength).toList());
      assertTrue(framed(sent.subList(0, 2)) > NoiseHandler.MAX_SHARED_PLAINTEXT);
      deliver(records, pair.responder);
      assertEquals(sent, received(pair.responderApp));
    }
  }

  @Test
  void aWriteLargerThanARecordIsCutAndKeepsItsPlaceInTheOrder() {
    try (EmbeddedPair pair = new EmbeddedPair(24)) {
      pair.pump();
      PeerMessage large = chunk(1, 150_000);
      ChannelFuture before = pair.initiator.write(ping(1));
      ChannelFuture cut = pair.initiator.write(large);
      ChannelFuture after = pair.initiator.writeAndFlush(ping(2));
      List<ByteBuf> records = drainRecords(pair.initiator);

      // ping | 65519 + 65519 + the rest of the chunk | ping
      assertEquals(5, records.size());
      assertEquals(MAX_RECORD_PLAINTEXT + 16, declaredLength(records.get(1)));
      assertEquals(MAX_RECORD_PLAINTEXT + 16, declaredLength(records.get(2)));
      assertTrue(records.stream().allMatch(r -> r.readableBytes() == 2 + declaredLength(r)));
      assertTrue(before.isSuccess() && cut.isSuccess() && after.isSuccess());
      deliver(records, pair.responder);
      assertEquals(List.of(ping(1), large, ping(2)), received(pair.responderApp));
    }
  }

  @Test
  void theReceiverReadsSeveralFramesPerRecordAndFramesCutAcrossRecords() {
    try (EmbeddedPair pair = new EmbeddedPair(25)) {
      pair.pump();
      List<PeerMessage> sent = List.of(ping(1), chunk(2, 3000), ping(3), chunk(4, 70_000), ping(5));
      ByteBuf stream = Unpooled.buffer();
      for (PeerMessage message : sent) {
        stream.writeInt(message.getSerializedSize()).writeBytes(message.toByteArray());
      }
      // Plaintext straight into the secure channel, cut at places no encoder would choose: inside
      // a frame header, inside a body, and a piece holding the end of one frame and whole others.
      ChannelHandlerContext framesContext = pair.initiator.pipeline().context(ChorusPipeline.FRAME_DECODER);
      int[] cuts = {2, 1500, 3040, 40_000, stream.readableBytes()};
      int at = 0;
      for (int cut : cuts) {
        framesContext.writeAndFlush(stream.retainedSlice(at, cut - at));
        at = cut;
      }
      stream.release();
      List<ByteBuf> records = drainRecords(pair.initiator);
      assertEquals(cuts.length, records.size(), "a record per flushed piece");
      deliver(records, pair.responder);
      assertEquals(sent, received(pair.responderApp));
      assertTrue(pair.responder.isOpen());
    }
  }

  @Test
  void rekeyingCountsRecordsOnBothSides() {
    try (EmbeddedPair pair = new EmbeddedPair(26, b -> b.rekeyIntervalMessages(2), b -> b.rekeyIntervalMessages(2))) {
      pair.pump();
      List<PeerMessage> sent = new ArrayList<>();
      int index = 0;
      for (int batch = 1; batch <= 12; batch++) {
        for (int i = 0; i < batch; i++) {
          PeerMessage message = batch % 3 == 0 ? chunk(index++, 20_000) : ping(index++);
          sent.add(message);
          pair.initiator.write(message);
        }
        pair.initiator.flush();
        pair.responder.writeAndFlush(ping(1000 + batch));
        pair.pump();
      }
      assertEquals(sent, received(pair.responderApp));
      assertEquals(12, received(pair.initiatorApp).size());
      assertTrue(pair.initiator.isOpen() && pair.responder.isOpen());
    }
  }

  @Test
  void writesOfAnUnflushedRecordFailWhenTheChannelCloses() {
    try (EmbeddedPair pair = new EmbeddedPair(27)) {
      pair.pump();
      ChannelFuture first = pair.initiator.write(ping(1));
      ChannelFuture second = pair.initiator.write(ping(2));
      pair.initiator.close();
      assertInstanceOf(ClosedChannelException.class, first.cause());
      assertInstanceOf(ClosedChannelException.class, second.cause());
    }
  }

  @Test
  void removingTheHandlerFailsTheWritesOfTheOpenRecord() {
    try (EmbeddedPair pair = new EmbeddedPair(28)) {
      pair.pump();
      ChannelFuture pending = pair.initiator.write(ping(1));
      pair.initiator.pipeline().remove(ChorusPipeline.NOISE);
      ProtocolException cause = assertInstanceOf(ProtocolException.class, pending.cause());
      assertEquals(ErrorCode.INTERNAL_ERROR, cause.code());
    }
  }

  @Test
  void aFailedRecordFailsTheWritesItHolds() {
    try (EmbeddedPair pair = new EmbeddedPair(29)) {
      pair.pump();
      // Below the secure channel, a handler that refuses the record: as a socket write failing.
      pair.initiator.pipeline().addFirst(new io.netty.channel.ChannelOutboundHandlerAdapter() {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
          io.netty.util.ReferenceCountUtil.release(msg);
          promise.setFailure(new IllegalStateException("refused"));
        }
      });
      ChannelFuture first = pair.initiator.write(ping(1));
      ChannelFuture second = pair.initiator.write(ping(2));
      pair.initiator.flush();
      assertEquals("refused", first.cause().getMessage());
      assertEquals("refused", second.cause().getMessage());
    }
  }

  @Test
  void anEmptyWriteSendsNoRecordAndCompletesInOrder() {
    try (EmbeddedPair pair = new EmbeddedPair(30)) {
      pair.pump();
      ChannelFuture message = pair.initiator.write(ping(1));
      ChannelFuture empty = pair.initiator.pipeline().context(ChorusPipeline.FRAME_DECODER)
          .writeAndFlush(Unpooled.EMPTY_BUFFER);
      assertTrue(message.isSuccess() && empty.isSuccess());
      List<ByteBuf> out = drainRecords(pair.initiator);
      assertEquals(2, out.size());
      assertFalse(out.get(1).isReadable(), "the empty buffer is passed on as it is, after the record");
      deliver(out, pair.responder);
      assertEquals(List.of(ping(1)), received(pair.responderApp));
      assertTrue(pair.responder.isOpen());
    }
  }

  @Test
  void goodbyeAfterUnflushedWritesArrivesAfterThem() {
    try (EmbeddedPair pair = new EmbeddedPair(31)) {
      pair.pump();
      pair.initiator.write(ping(1));
      pair.send(pair.initiator, Envelope.PEER.goodbye(ErrorCode.SHUTTING_DOWN, "bye"));
      pair.pump();
      List<PeerMessage> got = received(pair.responderApp);
      assertEquals(ping(1), got.get(0));
      assertTrue(got.get(1).hasGoodbye());
    }
  }

  @Test
  void recordsCutAnywhereAcrossReadsLargeAndSmallArriveWhole() {
    try (EmbeddedPair pair = new EmbeddedPair(37)) {
      pair.pump();
      List<PeerMessage> sent = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        sent.add(i % 5 == 4 ? ping(i) : chunk(i, 16 * 1024));
        pair.initiator.write(sent.get(i));
        if (i % 3 == 2) {
          pair.initiator.flush();
        }
      }
      pair.initiator.flush();
      ByteBuf wire = Unpooled.buffer();
      for (ByteBuf record : drainRecords(pair.initiator)) {
        wire.writeBytes(record);
        record.release();
      }
      // Reads as a socket delivers them, in direct buffers: large ones that end inside a record
      // (appended without a copy), small ones in between (copied), one that ends on a record's
      // last byte, and a one-byte read.
      int[] reads = {65_536, 7, 20_000, 1, 300, 65_536, NoiseHandler.COMPOSITE_READ_BYTES, 40_000, 16_401};
      int r = 0;
      while (wire.isReadable()) {
        int n = Math.min(reads[r++ % reads.length], wire.readableBytes());
        ByteBuf read = pair.responder.alloc().directBuffer(n);
        read.writeBytes(wire, n);
        pair.responder.writeInbound(read);
      }
      wire.release();
      assertEquals(sent, received(pair.responderApp));
      assertTrue(pair.responder.isOpen());
    }
  }

  @Test
  void aLargeReadAfterAnIncompleteRecordIsAppendedWithoutACopyAndASmallOneIsCopied() {
    io.netty.buffer.ByteBufAllocator alloc = io.netty.buffer.ByteBufAllocator.DEFAULT;
    ByteBuf leftover = alloc.directBuffer(100).writeZero(100);
    ByteBuf large = alloc.directBuffer(NoiseHandler.COMPOSITE_READ_BYTES).writeZero(NoiseHandler.COMPOSITE_READ_BYTES);
    ByteBuf cumulation = NoiseHandler.RECORD_CUMULATOR.cumulate(alloc, leftover, large);
    assertInstanceOf(io.netty.buffer.CompositeByteBuf.class, cumulation);
    assertEquals(2, ((io.netty.buffer.CompositeByteBuf) cumulation).numComponents());
    assertEquals(100 + NoiseHandler.COMPOSITE_READ_BYTES, cumulation.readableBytes());
    cumulation.release();

    ByteBuf plain = alloc.directBuffer(100).writeZero(100);
    ByteBuf small = alloc.directBuffer(300).writeZero(300);
    ByteBuf merged = NoiseHandler.RECORD_CUMULATOR.cumulate(alloc, plain, small);
    assertFalse(merged instanceof io.netty.buffer.CompositeByteBuf);
    assertEquals(400, merged.readableBytes());
    merged.release();
  }

  @Test
  void aChunkIsEncodedAroundItsArrayAndEncryptedFromIt() {
    byte[] data = new byte[16 * 1024];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31);
    }
    PeerMessage message = PeerMessage.newBuilder().setChunkData(ChunkData.newBuilder().setRequestId(5)
        .setIndex(3).setData(com.google.protobuf.UnsafeByteOperations.unsafeWrap(data))).build();
    EmbeddedChannel encoder = new EmbeddedChannel(new MessageEncoderHandler<>(Envelope.PEER, FrameFormat.messages()));
    encoder.writeOutbound(message);
    ByteBuf framed = encoder.readOutbound();
    try {
      io.netty.buffer.CompositeByteBuf parts = assertInstanceOf(io.netty.buffer.CompositeByteBuf.class, framed);
      boolean referenced = false;
      for (int i = 0; i < parts.numComponents(); i++) {
        ByteBuf part = parts.component(i);
        referenced |= part.hasArray() && part.array() == data;
      }
      assertTrue(referenced, "the chunk's array is a part, not copied");
      ByteBuf expected = Unpooled.buffer().writeInt(message.getSerializedSize()).writeBytes(message.toByteArray());
      assertEquals(expected, framed);
      expected.release();
    } finally {
      framed.release();
      encoder.finishAndReleaseAll();
    }

    try (EmbeddedPair pair = new EmbeddedPair(41)) {
      pair.pump();
      List<PeerMessage> sent = List.of(message, ping(1), message);
      for (PeerMessage m : sent) {
        pair.initiator.writeAndFlush(m);
      }
      pair.pump();
      assertEquals(sent, received(pair.responderApp));
    }
  }

  @Test
  void messagesJustUnderAndOverTheGatheringSizeArriveWhole() {
    try (EmbeddedPair pair = new EmbeddedPair(43)) {
      pair.pump();
      List<PeerMessage> sent = new ArrayList<>();
      for (int size = MessageEncoderHandler.GATHER_MIN_BYTES - 40; size < MessageEncoderHandler.GATHER_MIN_BYTES + 40; size += 7) {
        sent.add(chunk(size, size));
      }
      sent.add(chunk(1, MessageEncoderHandler.GATHER_BUFFER_BYTES + 1));
      sent.add(chunk(2, 200_000));
      for (PeerMessage m : sent) {
        pair.initiator.write(m);
      }
      pair.initiator.flush();
      pair.pump();
      assertEquals(sent, received(pair.responderApp));
      assertTrue(pair.responder.isOpen());
    }
  }
}
