package dev.chorus.node.internal.peer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.wire.Cancel;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ChunkMissing;
import dev.chorus.protocol.wire.ChunkRequest;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.Coordinate;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Have;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.OverlayPeer;
import dev.chorus.protocol.wire.PeerAddress;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.PeerQuery;
import dev.chorus.protocol.wire.PeerQueryAnswer;
import dev.chorus.protocol.wire.Ping;
import dev.chorus.protocol.wire.Pong;
import java.util.Collections;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The peer message rules in the four cases: well-formed, incomplete, invalid, bad length. */
class PeerMessageRulesTest {
  private static final int MAX_RUN = 64;
  private static final int MAX_CHUNK = 1 << 20;
  private final PeerMessageRules rules = new PeerMessageRules(MAX_RUN, MAX_CHUNK, 2);
  private static final ByteString TRACK = ByteString.copyFrom(new byte[32]);
  private static final byte[] KEY = new byte[32];

  static {
    KEY[0] = 42;
  }

  @Nested
  class WellFormed {
    @Test
    void everyMessageAtItsLimitsPasses() {
      ok(request(TRACK, 0, 1));
      ok(request(TRACK, 0, MAX_RUN));
      ok(request(TRACK, -MAX_RUN, MAX_RUN)); // the run ends exactly at 2^32
      ok(PeerMessage.newBuilder().setCancel(Cancel.newBuilder().setRequestId(-1)).build());
      ok(data(1));
      ok(data(MAX_CHUNK));
      ok(missing(0, 1));
      ok(missing(10, MAX_RUN));
      ok(have(ChunkSet.newBuilder().setComplete(true).build()));
      ok(have(ChunkSet.newBuilder().setBitmap(ByteString.copyFrom(new byte[64 * 1024])).build()));
      ok(query(TRACK, 0));
      ok(query(TRACK, 2));
      ok(answer(10, overlayPeer()));
      ok(answer(1, overlayPeer().toBuilder().setAddress(address(16, 65535)).clearChunks().build()));
      ok(PeerMessage.newBuilder().setHello(Hello.newBuilder().setListenPort(65535).addCapabilities("overlay-query")).build());
      ok(PeerMessage.newBuilder().setPing(Ping.newBuilder().setNonce(1)).build());
    }

    @Test
    void badCoordinatesCostRankingNotTheLink() {
      Coordinate nonsense = Coordinate.newBuilder().addPositionMs(Float.NaN).setHeightMs(-5).build();
      ok(PeerMessage.newBuilder().setPong(Pong.newBuilder().setCoordinate(nonsense)).build());
      ok(answer(1, overlayPeer().toBuilder().setCoordinate(nonsense).build()));
    }
  }

  @Nested
  class Incomplete {
    @Test
    void missingFieldsAreRefused() {
      bad(request(ByteString.EMPTY, 0, 4), "track_id");
      bad(PeerMessage.newBuilder().setChunkRequest(ChunkRequest.newBuilder().setTrackId(TRACK)).build(), "count 0");
      bad(PeerMessage.newBuilder().setChunkData(ChunkData.newBuilder().setRequestId(1)).build(), "0 bytes");
      bad(PeerMessage.newBuilder().setChunkMissing(ChunkMissing.newBuilder().setRequestId(1)).build(), "count 0");
      bad(PeerMessage.newBuilder().setHave(Have.newBuilder().setTrackId(TRACK)).build(), "no chunks");
      bad(have(ChunkSet.getDefaultInstance()), "no chunks");
      bad(answer(1, overlayPeer().toBuilder().clearStaticKey().build()), "static_key");
    }

    @Test
    void anAnswerEntryWithoutAnAddressIsTheSenderItself() {
      ok(answer(1, overlayPeer().toBuilder().clearAddress().build()));
    }

    @Test
    void anEmptyEnvelopeIsRefused() {
      ProtocolException e = assertThrows(ProtocolException.class, () -> rules.check(PeerMessage.getDefaultInstance()));
      assertEquals(ErrorCode.EMPTY_MESSAGE, e.code());
    }
  }

  @Nested
  class Invalid {
    @Test
    void outOfRangeValuesAreRefused() {
      bad(request(TRACK, 0, 0), "count 0");
      bad(request(TRACK, 0, 1000), "count 1000");
      bad(request(TRACK, 0, -1), "count 4294967295");
      bad(request(TRACK, -1, 2), "passes 2^32");
      bad(missing(0, MAX_RUN + 1), "count 65");
      bad(query(TRACK, 3), "hops_left 3");
      bad(answer(1, overlayPeer().toBuilder().setAddress(address(4, 0)).build()), "port 0");
      bad(answer(1, overlayPeer().toBuilder().setAddress(address(4, 65536)).build()), "port 65536");
      bad(answer(1, overlayPeer().toBuilder().setNodeId(ByteString.copyFrom(new byte[32])).build()), "not the SHA-256");
      bad(PeerMessage.newBuilder().setHello(Hello.newBuilder().setListenPort(70000)).build(), "listen_port");
      bad(PeerMessage.newBuilder().setHello(Hello.newBuilder()
          .addAllCapabilities(Collections.nCopies(33, "x"))).build(), "33 capabilities");
    }
  }

  @Nested
  class BadLength {
    @Test
    void wrongLengthsAreRefused() {
      bad(request(ByteString.copyFrom(new byte[31]), 0, 4), "got 31");
      bad(request(ByteString.copyFrom(new byte[33]), 0, 4), "got 33");
      bad(query(ByteString.copyFrom(new byte[31]), 1), "got 31");
      bad(PeerMessage.newBuilder().setHave(Have.newBuilder().setTrackId(ByteString.copyFrom(new byte[1]))
          .setChunks(ChunkSet.newBuilder().setComplete(true))).build(), "got 1");
      bad(data(MAX_CHUNK + 1), "1048577 bytes");
      bad(have(ChunkSet.newBuilder().setBitmap(ByteString.copyFrom(new byte[64 * 1024 + 1])).build()), "65537 bytes");
      bad(answer(11, overlayPeer()), "11 peers");
      bad(answer(1, overlayPeer().toBuilder().setNodeId(ByteString.copyFrom(new byte[31])).build()), "node_id is 32 bytes, got 31");
      bad(answer(1, overlayPeer().toBuilder().setAddress(address(5, 80)).build()), "4 or 16 bytes, got 5");
      bad(answer(1, overlayPeer().toBuilder().setChunks(ChunkSet.newBuilder()
          .setBitmap(ByteString.copyFrom(new byte[64 * 1024 + 1]))).build()), "bitmap");
      bad(PeerMessage.newBuilder().setHello(Hello.newBuilder().addCapabilities("x".repeat(65))).build(), "longer than 64");
    }
  }

  private void ok(PeerMessage m) {
    assertDoesNotThrow(() -> rules.check(m), m::toString);
  }

  private void bad(PeerMessage m, String says) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> rules.check(m));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertTrue(e.getMessage().contains(says), () -> "\"" + e.getMessage() + "\" should say " + says);
  }

  private static PeerMessage request(ByteString track, int first, int count) {
    return PeerMessage.newBuilder().setChunkRequest(ChunkRequest.newBuilder()
        .setRequestId(1).setTrackId(track).setFirstIndex(first).setCount(count)).build();
  }

  private static PeerMessage data(int bytes) {
    return PeerMessage.newBuilder().setChunkData(ChunkData.newBuilder()
        .setRequestId(1).setIndex(0).setData(ByteString.copyFrom(new byte[bytes]))).build();
  }

  private static PeerMessage missing(int first, int count) {
    return PeerMessage.newBuilder().setChunkMissing(ChunkMissing.newBuilder()
        .setRequestId(1).setFirstIndex(first).setCount(count).setReason(ErrorCode.CHUNK_UNAVAILABLE)).build();
  }

  private static PeerMessage have(ChunkSet chunks) {
    return PeerMessage.newBuilder().setHave(Have.newBuilder().setTrackId(TRACK).setChunks(chunks)).build();
  }

  private static PeerMessage query(ByteString track, int hops) {
    return PeerMessage.newBuilder().setPeerQuery(PeerQuery.newBuilder().setQueryId(3).setTrackId(track).setHopsLeft(hops)).build();
  }

  private static PeerMessage answer(int copies, OverlayPeer peer) {
    return PeerMessage.newBuilder().setPeerQueryAnswer(PeerQueryAnswer.newBuilder()
        .setQueryId(3).addAllPeers(Collections.nCopies(copies, peer))).build();
  }

  private static OverlayPeer overlayPeer() {
    return OverlayPeer.newBuilder()
        .setNodeId(ByteString.copyFrom(NodeId.ofStaticKey(KEY).bytes()))
        .setStaticKey(ByteString.copyFrom(KEY))
        .setAddress(address(4, 4001))
        .setChunks(ChunkSet.newBuilder().setComplete(true))
        .build();
  }

  private static PeerAddress address(int ipBytes, int port) {
    return PeerAddress.newBuilder().setIp(ByteString.copyFrom(new byte[ipBytes])).setPort(port).build();
  }
}
