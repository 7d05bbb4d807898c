/**
 * Real network address translation for tests, built with the kernel: network namespaces joined
 * by veth pairs, routers that masquerade with nftables, and processes started inside a namespace
 * ({@link dev.chorus.testing.netns.NetnsLab}). Needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN),
 * {@code ip} (iproute2) and {@code nft} (nftables).
 */
package dev.chorus.testing.netns;
