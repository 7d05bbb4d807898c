/**
 * The Noise Protocol Framework (revision 34), sans I/O: {@link
 * dev.chorus.protocol.noise.NoiseHandshake} runs any supported handshake pattern over byte
 * arrays, and {@link dev.chorus.protocol.noise.NoiseTransport} encrypts and decrypts transport
 * messages into caller-supplied buffers. No sockets, threads or clocks; framing (the 2-byte
 * length prefix) belongs to the layer above. See {@code protocol/docs/noise.md}.
 */
package dev.chorus.protocol.noise;
