package dev.chorus.tracker;

import com.google.protobuf.CodedOutputStream;
import dev.chorus.protocol.framing.FrameEncoder;
import dev.chorus.protocol.framing.FrameException;
import dev.chorus.protocol.framing.FrameFormat;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.LookupResult;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.protocol.wire.TrackerPeer;
import dev.chorus.tracker.index.Candidate;
import dev.chorus.tracker.index.CandidateList;
import dev.chorus.tracker.index.Holding;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.util.List;

/**
 * Writes the frame of a {@code TrackerMessage{lookup_result}} straight into a pooled buffer,
 * from each peer's serialized record ({@link CandidateList#writeTrackerPeerFields}) and its holding:
 * no message builders, no copies of keys and addresses per reply. Building the same reply with
 * the generated classes cost about 14 KB of garbage and most of the tracker's CPU per lookup.
 *
 * <p>The bytes are exactly those of the generated encoder for the same message (fields in
 * number order, default values left out, {@code complete} and {@code bitmap} of the chunk set a
 * oneof that is always written); {@code LookupReplyEncoderTest} checks it on random replies. A
 * field added to {@code LookupResult} or {@code TrackerPeer} must be added here too. Stateless.
 */
final class LookupReplyEncoder {
  private static final int LOOKUP_RESULT_TAG = tag(TrackerMessage.LOOKUP_RESULT_FIELD_NUMBER);
  private static final int PEERS_TAG = tag(LookupResult.PEERS_FIELD_NUMBER);
  private static final int CHUNKS_TAG = tag(TrackerPeer.CHUNKS_FIELD_NUMBER);
  /** {@code ChunkSet{complete: true}}: field 1, varint 1. */
  private static final int COMPLETE_BYTES = CodedOutputStream.computeBoolSize(ChunkSet.COMPLETE_FIELD_NUMBER, true);

  private final FrameEncoder frames;

  LookupReplyEncoder(FrameFormat format) {
    this.frames = new FrameEncoder(format);
  }

  /**
   * The whole frame (length header and message) for a reply with {@code peers}, best first, in
   * a buffer from {@code alloc} that the caller writes (and so releases).
   *
   * @throws FrameException if the message is longer than the frame format allows
   */
  ByteBuf encode(ByteBufAllocator alloc, long lookupId, List<Candidate> peers) throws FrameException {
    int[] order = new int[peers.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    return encode(alloc, lookupId, CandidateList.of(peers), order, order.length);
  }

  /**
   * As above for the peers at positions {@code order[0..count)} of {@code candidates}, in that
   * order: what {@link dev.chorus.tracker.index.LookupPolicy#answer(dev.chorus.protocol.NodeId,
   * dev.chorus.protocol.ReachabilityClass, dev.chorus.protocol.ConnectionPlan.Traversal,
   * dev.chorus.tracker.index.NetworkPrefix, String, dev.chorus.protocol.VivaldiCoordinate,
   * CandidateList, byte[], int, java.util.random.RandomGenerator, int[]) answer} chose.
   */
  ByteBuf encode(ByteBufAllocator alloc, long lookupId, CandidateList candidates, int[] order, int count)
      throws FrameException {
    int resultBytes = lookupId == 0 ? 0 : CodedOutputStream.computeUInt64Size(LookupResult.LOOKUP_ID_FIELD_NUMBER, lookupId);
    for (int j = 0; j < count; j++) {
      int i = order[j];
      resultBytes += lengthDelimited(peerBytes(candidates.trackerPeerFieldsSize(i), candidates.holding(i)));
    }
    int messageBytes = lengthDelimited(resultBytes);
    frames.checkBodyLength(messageBytes);
    int headerBytes = frames.format().headerBytes();
    ByteBuf out = alloc.heapBuffer(headerBytes + messageBytes);
    try {
      if (headerBytes == 2) {
        out.writeShort(messageBytes);
      } else {
        out.writeInt(messageBytes);
      }
      int at = out.writerIndex();
      CodedOutputStream stream = CodedOutputStream.newInstance(out.array(), out.arrayOffset() + at, messageBytes);
      stream.writeUInt32NoTag(LOOKUP_RESULT_TAG);
      stream.writeUInt32NoTag(resultBytes);
      if (lookupId != 0) {
        stream.writeUInt64(LookupResult.LOOKUP_ID_FIELD_NUMBER, lookupId);
      }
      for (int j = 0; j < count; j++) {
        int i = order[j];
        writePeer(stream, candidates, i);
      }
      stream.checkNoSpaceLeft();
      out.writerIndex(at + messageBytes);
      return out;
    } catch (IOException | RuntimeException e) {
      out.release();
      throw new IllegalStateException("lookup reply encoding disagrees with its computed size", e);
    }
  }

  private static void writePeer(CodedOutputStream stream, CandidateList candidates, int i) throws IOException {
    Holding holding = candidates.holding(i);
    stream.writeUInt32NoTag(PEERS_TAG);
    stream.writeUInt32NoTag(peerBytes(candidates.trackerPeerFieldsSize(i), holding));
    candidates.writeTrackerPeerFields(i, stream);
    stream.writeUInt32NoTag(CHUNKS_TAG);
    if (holding.isComplete()) {
      stream.writeUInt32NoTag(COMPLETE_BYTES);
      stream.writeBool(ChunkSet.COMPLETE_FIELD_NUMBER, true);
    } else {
      byte[] bitmap = holding.bitmap();
      stream.writeUInt32NoTag(CodedOutputStream.computeByteArraySize(ChunkSet.BITMAP_FIELD_NUMBER, bitmap));
      stream.writeByteArray(ChunkSet.BITMAP_FIELD_NUMBER, bitmap);
    }
  }

  /** Bytes of one {@code TrackerPeer} message, without its tag and length. */
  private static int peerBytes(int peerFieldsBytes, Holding holding) {
    int chunkSet = holding.isComplete()
        ? COMPLETE_BYTES
        : CodedOutputStream.computeUInt32SizeNoTag(holding.bitmapLength()) + 1 + holding.bitmapLength();
    return peerFieldsBytes + lengthDelimited(chunkSet);
  }

  /** A length-delimited field (one-byte tag: field numbers below 16) holding {@code bytes} bytes. */
  private static int lengthDelimited(int bytes) {
    return 1 + CodedOutputStream.computeUInt32SizeNoTag(bytes) + bytes;
  }

  private static int tag(int fieldNumber) {
    return (fieldNumber << 3) | 2; // wire type 2: length-delimited
  }
}
