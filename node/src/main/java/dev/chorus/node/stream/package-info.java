/**
 * The node's local stream endpoint: {@link dev.chorus.node.stream.StreamServer} serves {@code GET
 * /tracks/<trackId>} over HTTP (loopback by default) with byte ranges, so that any stock player can
 * play and seek a track the node fetches from its cache, from peers and from the CDN; and a page
 * about the node at {@code /}, under the same rules.
 */
package dev.chorus.node.stream;
