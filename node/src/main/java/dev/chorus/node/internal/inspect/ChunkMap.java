package dev.chorus.node.internal.inspect;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import java.util.List;

/**
 * Where each chunk of the track played last came from, for that play.
 *
 * @param trackId the track
 * @param sizeBytes its size
 * @param durationMillis its duration
 * @param chunks one character per chunk: {@link #CACHE} (held before this play needed it), {@link
 *     #CDN}, {@link #MISSING}, or {@code 'a' + k}: fetched from {@code peers.get(k)}
 * @param peers the peers chunks came from, in order of first appearance (at most 26; chunks from
 *     further peers are shown as from {@link #OTHER_PEER})
 * @param readPosition the player's read position in bytes
 * @param open whether its stream is still open (a player that read all of it closes the stream
 *     while it goes on playing what it buffered)
 */
public record ChunkMap(TrackId trackId, long sizeBytes, long durationMillis, String chunks, List<NodeId> peers,
    long readPosition, boolean open) {
  public static final char CACHE = 'C';
  public static final char CDN = 'N';
  public static final char MISSING = '.';
  public static final char OTHER_PEER = 'P';
  public static final int MAX_NAMED_PEERS = 26;
}
