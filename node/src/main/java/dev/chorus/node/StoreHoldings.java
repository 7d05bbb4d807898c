package dev.chorus.node;

import dev.chorus.node.internal.store.ChunkStore;
import dev.chorus.node.internal.trackerclient.Holding;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/** What the chunk store holds, as the holdings the tracker and peers are told. */
final class StoreHoldings {
  private final ChunkStore store;

  StoreHoldings(ChunkStore store) {
    this.store = store;
  }

  /** The store's holding of a track: complete, the chunks held, or null for none (or no manifest). */
  Holding of(TrackId id) {
    Optional<TrackManifest> m = store.manifest(id);
    if (m.isEmpty()) {
      return null;
    }
    int count = m.get().chunkCount();
    if (store.isComplete(id)) {
      return Holding.complete(id, count);
    }
    BitSet held = store.holding(id);
    return held.isEmpty() ? null : Holding.partial(id, count, held);
  }

  /** Every track the store holds part of. */
  List<Holding> all() {
    List<Holding> all = new ArrayList<>();
    for (TrackId id : store.tracks()) {
      Holding h = of(id);
      if (h != null) {
        all.add(h);
      }
    }
    return all;
  }
}
