package dev.chorus.node.internal.inspect;

import dev.chorus.node.NodeStats;
import dev.chorus.protocol.NodeId;
import java.util.List;

/**
 * A node's state at one moment.
 *
 * @param nodeId the node's id
 * @param stats its counters ({@code ChorusNode.stats()})
 * @param cacheUsedBytes bytes in the chunk cache
 * @param cacheCapacityBytes the cache's capacity
 * @param caching whether the cache stores (false after a storage error)
 * @param trackerConnected whether the tracker connection is up
 * @param current the track played last (or being played) and where its chunks came from, or null
 * @param neighbours connected peers
 */
public record NodeView(NodeId nodeId, NodeStats stats, long cacheUsedBytes, long cacheCapacityBytes,
    boolean caching, boolean trackerConnected, ChunkMap current, List<NeighbourView> neighbours) {}
