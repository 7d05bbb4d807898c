package dev.chorus.protocol.message;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.wire.ChunkSet;
import java.util.BitSet;

/**
 * The one mapping between the wire's {@link ChunkSet} ("every chunk", or a bitmap with bit i,
 * least significant bit first, for chunk i) and the domain's complete flag and {@link BitSet}.
 * Used by the tracker, the tracker client and the node's peer messages alike.
 */
public final class ChunkSets {
  private static final ChunkSet COMPLETE = ChunkSet.newBuilder().setComplete(true).build();

  private ChunkSets() {}

  /** Every chunk. */
  public static ChunkSet complete() {
    return COMPLETE;
  }

  /** The chunks whose bits are set in {@code lsbFirst}. */
  public static ChunkSet bitmap(byte[] lsbFirst) {
    return ChunkSet.newBuilder().setBitmap(ByteString.copyFrom(lsbFirst)).build();
  }

  /** Every chunk if {@code complete}, else the chunks set in {@code chunks}. */
  public static ChunkSet of(boolean complete, BitSet chunks) {
    return complete ? COMPLETE : bitmap(chunks.toByteArray());
  }

  /** Whether the set says "every chunk". */
  public static boolean isComplete(ChunkSet set) {
    return set.getHoldingCase() == ChunkSet.HoldingCase.COMPLETE;
  }

  /** The bitmap's chunks (empty for a complete or unset set). */
  public static BitSet bits(ChunkSet set) {
    return set.getHoldingCase() == ChunkSet.HoldingCase.BITMAP
        ? BitSet.valueOf(set.getBitmap().asReadOnlyByteBuffer()) : new BitSet();
  }
}
