/**
 * Port mapping: asks the home gateway to forward a TCP port to the node's peer port, with PCP
 * (RFC 6887), NAT-PMP (RFC 6886) or UPnP-IGD, keeps the mapping renewed and removes it on close.
 * {@link dev.chorus.node.internal.portmap.PortMappingCore} decides (pure: time in, commands out);
 * {@link dev.chorus.node.internal.portmap.PortMapper} is the shell that does the UDP and HTTP.
 * Why there is no third-party library here: node/README.md, "Port mapping".
 */
package dev.chorus.node.internal.portmap;
