package dev.chorus.node.internal.inspect;

import dev.chorus.protocol.NodeId;
import java.net.InetSocketAddress;

/**
 * A connected neighbour.
 *
 * @param id its node id
 * @param address the remote end of the connection
 * @param rttNanos the latest measured round-trip time, or -1 before the first
 * @param bytesPerSecond the download rate the swarm core measured from it, or -1 before any chunk
 * @param bytes chunk bytes exchanged with it since start
 */
public record NeighbourView(NodeId id, InetSocketAddress address, long rttNanos, double bytesPerSecond,
    PeerBytes bytes) {}
