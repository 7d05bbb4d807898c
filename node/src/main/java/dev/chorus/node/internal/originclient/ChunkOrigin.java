package dev.chorus.node.internal.originclient;

import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the node's runtime needs of the CDN or S3 origin: the narrow side of {@link OriginClient},
 * so that the runtime can be tested against a scripted fake.
 */
public interface ChunkOrigin {
  /** The track's signed manifest, verified. */
  CompletableFuture<TrackManifest> fetchManifest(TrackId id);

  /** Chunks {@code [firstChunk, firstChunk + count)}, each verified against the manifest. */
  CompletableFuture<List<byte[]>> fetchChunks(TrackManifest manifest, int firstChunk, int count);
}
