package dev.chorus.tracker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.framing.FrameException;
import dev.chorus.protocol.framing.FrameFormat;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.message.ChunkSets;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.LookupResult;
import dev.chorus.protocol.wire.PeerAddress;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.protocol.wire.TrackerPeer;
import dev.chorus.tracker.index.Candidate;
import dev.chorus.tracker.index.CandidateList;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.PeerInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written reply encoding gives the generated encoder's bytes, header included. */
class LookupReplyEncoderTest {
  private static final TrackId TRACK = TrackId.fromBytes(new byte[32]);

  /** The reply as the tracker built it before {@link LookupReplyEncoder}: with the generated builders. */
  private static TrackerMessage withBuilders(long lookupId, List<Candidate> ranked) {
    LookupResult.Builder result = LookupResult.newBuilder().setLookupId(lookupId);
    for (Candidate c : ranked) {
      PeerInfo p = c.peer();
      ChunkSet chunks = c.holding().isComplete() ? ChunkSets.complete() : ChunkSets.bitmap(c.holding().bitmap());
      result.addPeers(TrackerPeer.newBuilder()
          .setNodeId(ByteString.copyFrom(p.nodeId().bytes()))
          .setStaticKey(ByteString.copyFrom(p.staticKey()))
          .setAddress(PeerAddress.newBuilder().setIp(ByteString.copyFrom(p.ip())).setPort(p.port()))
          .setCoordinate(p.coordinate().toWire())
          .setChunks(chunks));
    }
    return TrackerMessage.newBuilder().setLookupResult(result).build();
  }

  private static PeerInfo randomPeer(SplittableRandom r) {
    byte[] key = new byte[32];
    r.nextBytes(key);
    byte[] ip = new byte[r.nextBoolean() ? 4 : 16];
    r.nextBytes(ip);
    float[] position = new float[2 + r.nextInt(7)];
    for (int i = 0; i < position.length; i++) {
      position[i] = r.nextInt(4) == 0 ? 0f : (float) r.nextDouble(-5000, 5000);
    }
    VivaldiCoordinate c = r.nextInt(5) == 0 ? VivaldiCoordinate.ORIGIN
        : VivaldiCoordinate.of(position, r.nextBoolean() ? 0f : (float) r.nextDouble(0, 100), (float) r.nextDouble(0, 1.5));
    int port = r.nextInt(4) == 0 ? r.nextInt(128) : r.nextInt(65536);
    return PeerInfo.of(key, ip, port, c, r.nextBoolean() ? "" : "eu-west-" + r.nextInt(100));
  }

  private static Holding randomHolding(SplittableRandom r) {
    if (r.nextBoolean()) {
      return Holding.complete(TRACK, r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(Holding.MAX_CHUNKS));
    }
    int chunks = 1 + r.nextInt(r.nextBoolean() ? 64 : 20_000);
    byte[] bitmap = new byte[r.nextInt((chunks + 7) / 8 + 1)];
    for (int i = 0; i < chunks && i / 8 < bitmap.length; i++) {
      if (r.nextInt(3) != 0) {
        bitmap[i / 8] |= (byte) (1 << (i % 8));
      }
    }
    if (r.nextInt(8) == 0) {
      Arrays.fill(bitmap, (byte) 0); // trimmed to an empty bitmap
    }
    return Holding.partial(TRACK, chunks, bitmap);
  }

  @Test
  void sameBytesAsTheGeneratedEncoderForRandomReplies() throws Exception {
    SplittableRandom r = new SplittableRandom(16);
    for (FrameFormat format : List.of(FrameFormat.messages(), FrameFormat.noiseRecords())) {
      LookupReplyEncoder encoder = new LookupReplyEncoder(format);
      for (int round = 0; round < 2_000; round++) {
        int n = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(50);
        List<Candidate> ranked = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          ranked.add(new Candidate(randomPeer(r), randomHolding(r), 1000L * r.nextInt(1000)));
        }
        long lookupId = switch (r.nextInt(4)) {
          case 0 -> 0;
          case 1 -> r.nextLong(); // negative: a uint64 past 2^63
          default -> r.nextInt(1000);
        };
        TrackerMessage expected = withBuilders(lookupId, ranked);
        byte[] expectedBytes = expected.toByteArray();
        if (expectedBytes.length > format.maxBodyBytes()) {
          continue;
        }
        ByteBuf frame = round % 2 == 0
            ? encoder.encode(PooledByteBufAllocator.DEFAULT, lookupId, ranked)
            : encodeFromColumns(encoder, lookupId, ranked, r);
        try {
          byte[] got = new byte[frame.readableBytes()];
          frame.readBytes(got);
          ByteBuffer header = ByteBuffer.wrap(got, 0, format.headerBytes());
          int length = format.headerBytes() == 2 ? header.getShort() & 0xffff : header.getInt();
          assertEquals(expectedBytes.length, length, "frame length, round " + round);
          byte[] body = Arrays.copyOfRange(got, format.headerBytes(), got.length);
          assertArrayEquals(expectedBytes, body, "round " + round);
          assertEquals(expected, TrackerMessage.parseFrom(body), "round " + round);
        } finally {
          frame.release();
        }
      }
    }
  }

  /**
   * The array form: {@code ranked} scattered among other candidates in a {@link CandidateList},
   * picked out in order by positions, as the tracker's lookup path hands them over.
   */
  private static ByteBuf encodeFromColumns(LookupReplyEncoder encoder, long lookupId, List<Candidate> ranked,
      SplittableRandom r) throws FrameException {
    List<Candidate> all = new ArrayList<>(ranked);
    for (int extra = r.nextInt(5); extra > 0; extra--) {
      all.add(new Candidate(randomPeer(r), randomHolding(r), 0));
    }
    java.util.Collections.shuffle(all, new java.util.Random(r.nextLong()));
    int[] order = new int[ranked.size()];
    for (int j = 0; j < order.length; j++) {
      order[j] = indexOfSame(all, ranked.get(j));
    }
    return encoder.encode(PooledByteBufAllocator.DEFAULT, lookupId, CandidateList.of(all), order, order.length);
  }

  private static int indexOfSame(List<Candidate> all, Candidate c) {
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i) == c) {
        return i;
      }
    }
    throw new AssertionError("not in the list: " + c);
  }

  @Test
  void aReplyLongerThanAFrameIsRefused() {
    SplittableRandom r = new SplittableRandom(17);
    List<Candidate> ranked = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      ranked.add(new Candidate(randomPeer(r), Holding.complete(TRACK, 10), 0));
    }
    LookupReplyEncoder encoder = new LookupReplyEncoder(FrameFormat.noiseRecords());
    assertThrows(FrameException.class, () -> encoder.encode(PooledByteBufAllocator.DEFAULT, 1, ranked));
  }
}
