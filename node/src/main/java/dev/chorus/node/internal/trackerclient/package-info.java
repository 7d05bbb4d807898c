/**
 * The node's tracker client: one persistent Noise connection to the node's (pinned) tracker, the
 * whole cache announced on every connect, deltas as chunks are cached or evicted, lookups, and
 * reconnection with jittered exponential backoff. Entry point: {@link
 * dev.chorus.node.internal.trackerclient.TrackerClient#start}.
 */
package dev.chorus.node.internal.trackerclient;
