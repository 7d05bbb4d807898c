package dev.chorus.node.internal.inspect;

/**
 * Chunk bytes exchanged with one peer since the node started.
 *
 * @param received verified chunk bytes received from it that the node did not hold
 * @param sent chunk bytes sent to it
 */
public record PeerBytes(long received, long sent) {}
