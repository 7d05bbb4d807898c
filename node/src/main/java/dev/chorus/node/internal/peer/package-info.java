/**
 * The node's peer networking on Netty: {@link dev.chorus.node.internal.peer.PeerNetwork} (server, client
 * pool, limits, bans, upload cap, validation, Ping/Pong), {@link dev.chorus.node.internal.peer.PeerLink}
 * (one connection), {@link dev.chorus.node.internal.peer.PeerNetworkListener} (events for the node runtime)
 * and {@link dev.chorus.node.internal.peer.PeerNetworkConfig}. It moves peer messages; the swarm core
 * decides what to request and serve.
 */
package dev.chorus.node.internal.peer;
