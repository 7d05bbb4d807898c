package dev.chorus.node.internal.portmap;

import java.nio.ByteBuffer;

/**
 * NAT-PMP messages (RFC 6886): the external address request (opcode 0) and the TCP mapping request
 * (opcode 2), and the validation of their answers. Pure.
 */
final class NatPmpCodec {
  static final int VERSION = 0;
  static final int OP_EXTERNAL_ADDRESS = 0;
  static final int OP_MAP_TCP = 2;
  /** A response's opcode is the request's plus 128 (RFC 6886 §3.2). */
  static final int RESPONSE_BIT = 128;
  static final int EXTERNAL_ADDRESS_RESPONSE_SIZE = 12;
  static final int MAP_RESPONSE_SIZE = 16;

  private NatPmpCodec() {}

  static byte[] externalAddressRequest() {
    return new byte[] {VERSION, OP_EXTERNAL_ADDRESS};
  }

  /** A TCP mapping request; lifetime 0 with external port 0 deletes the mapping (§3.4). */
  static byte[] mapRequest(int internalPort, int suggestedExternalPort, long lifetimeSeconds) {
    ByteBuffer b = ByteBuffer.allocate(12);
    b.put((byte) VERSION).put((byte) OP_MAP_TCP).putShort((short) 0);
    b.putShort((short) internalPort).putShort((short) suggestedExternalPort).putInt((int) lifetimeSeconds);
    return b.array();
  }

  /** The external IPv4 address in an opcode-128 answer, as a dotted literal. */
  static String externalAddress(byte[] packet, int length) throws MappingException {
    ByteBuffer b = header(packet, length, OP_EXTERNAL_ADDRESS, EXTERNAL_ADDRESS_RESPONSE_SIZE);
    b.getInt(); // seconds since the gateway's epoch
    int a = b.get() & 0xff;
    int c = b.get() & 0xff;
    int d = b.get() & 0xff;
    int e = b.get() & 0xff;
    return a + "." + c + "." + d + "." + e;
  }

  /** The mapping in an opcode-130 answer to a request for {@code internalPort}. */
  static Mapping mapping(byte[] packet, int length, int internalPort, String externalAddress) throws MappingException {
    ByteBuffer b = header(packet, length, OP_MAP_TCP, MAP_RESPONSE_SIZE);
    b.getInt(); // epoch
    int internal = b.getShort() & 0xffff;
    int external = b.getShort() & 0xffff;
    long lifetime = b.getInt() & 0xffffffffL;
    if (internal != internalPort) {
      throw new MappingException(MappingFailure.MALFORMED, "NAT-PMP answer is for internal port " + internal
          + ", not " + internalPort);
    }
    if (external == 0 || lifetime == 0) {
      throw new MappingException(MappingFailure.MALFORMED, "NAT-PMP answer grants external port " + external
          + " for " + lifetime + " s; a mapping needs both");
    }
    return new Mapping(MappingProtocol.NAT_PMP, externalAddress, external, lifetime);
  }

  /** Checks version, opcode, size and result code; returns the buffer after the result code. */
  static ByteBuffer header(byte[] packet, int length, int requestOpcode, int size) throws MappingException {
    if (length < 4) {
      throw new MappingException(MappingFailure.MALFORMED, "NAT-PMP answer of " + length + " bytes is too short");
    }
    ByteBuffer b = ByteBuffer.wrap(packet, 0, length);
    int version = b.get() & 0xff;
    int opcode = b.get() & 0xff;
    int result = b.getShort() & 0xffff;
    if (version != VERSION) {
      throw new MappingException(MappingFailure.MALFORMED, "NAT-PMP answer has version " + version);
    }
    if (opcode != requestOpcode + RESPONSE_BIT) {
      throw new MappingException(MappingFailure.MALFORMED, "NAT-PMP answer has opcode " + opcode + ", expected "
          + (requestOpcode + RESPONSE_BIT));
    }
    if (result != 0) {
      throw resultError(result);
    }
    if (length < size) {
      throw new MappingException(MappingFailure.MALFORMED, "NAT-PMP answer of " + length + " bytes, expected "
          + size);
    }
    return b;
  }

  /** RFC 6886 §3.5 result codes. */
  static MappingException resultError(int result) {
    return switch (result) {
      case 1 -> new MappingException(MappingFailure.UNSUPPORTED, "NAT-PMP result 1: unsupported version");
      case 2 -> new MappingException(MappingFailure.REFUSED, "NAT-PMP result 2: not authorized/refused "
          + "(port mapping is probably switched off in the router)");
      case 3 -> new MappingException(MappingFailure.REFUSED, "NAT-PMP result 3: network failure (the router "
          + "has no external address yet)");
      case 4 -> new MappingException(MappingFailure.REFUSED, "NAT-PMP result 4: out of resources (the router "
          + "cannot create more mappings)");
      case 5 -> new MappingException(MappingFailure.UNSUPPORTED, "NAT-PMP result 5: unsupported opcode");
      default -> new MappingException(MappingFailure.REFUSED, "NAT-PMP result " + result + " (unknown)");
    };
  }
}
