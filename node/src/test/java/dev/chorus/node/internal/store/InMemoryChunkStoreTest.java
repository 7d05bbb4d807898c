package dev.chorus.node.internal.store;

class InMemoryChunkStoreTest extends ChunkStoreContract {
  @Override
  protected AbstractChunkStore newStore(long capacityBytes) {
    return InMemoryChunkStore.create(
        ChunkStoreConfig.builder().capacityBytes(capacityBytes).build(), listener);
  }
}
