/**
 * The simulator's network model: flow-level transfers with max-min fair sharing of every host's
 * uplink and downlink ({@link dev.chorus.simulator.network.FlowNetwork}), round-trip times from a
 * synthetic coordinate space with regions ({@link dev.chorus.simulator.network.Latency}), per-peer
 * capacities from configurable distributions ({@link
 * dev.chorus.simulator.network.BandwidthDistribution}), peers behind NAT ({@link
 * dev.chorus.simulator.network.Nat}), and the CDN as a high-capacity host, put together by {@link
 * dev.chorus.simulator.network.NetworkModel}. Pure and deterministic: time comes in as {@code long
 * nowNanos}, randomness from a caller's {@link java.util.SplittableRandom}. The model and its known
 * error against packet-level behaviour are described in {@code simulator/docs/network-model.md}.
 */
package dev.chorus.simulator.network;
