package dev.chorus.node.internal.portmap;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** PCP MAP messages (RFC 6887 §7, §11) for TCP over IPv4, and the validation of answers. Pure. */
final class PcpCodec {
  static final int VERSION = 2;
  static final int OP_MAP = 1;
  static final int RESPONSE_BIT = 0x80;
  static final int PROTOCOL_TCP = 6;
  static final int NONCE_BYTES = 12;
  /** Common header 24 + MAP payload 36 (no options). */
  static final int MAP_SIZE = 60;
  /** The largest PCP message (RFC 6887 §7). */
  static final int MAX_MESSAGE = 1100;

  private PcpCodec() {}

  /**
   * A MAP request. Lifetime 0 deletes the mapping (§15). {@code clientIpv4} must be the address the
   * gateway sees the request come from, else it answers ADDRESS_MISMATCH.
   */
  static byte[] mapRequest(byte[] clientIpv4, byte[] nonce, int internalPort, int suggestedExternalPort,
      long lifetimeSeconds) {
    if (clientIpv4.length != 4 || nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException("an IPv4 client address and a 12-byte nonce are needed");
    }
    ByteBuffer b = ByteBuffer.allocate(MAP_SIZE);
    b.put((byte) VERSION).put((byte) OP_MAP).putShort((short) 0).putInt((int) lifetimeSeconds);
    b.put(ipv4Mapped(clientIpv4));
    b.put(nonce).put((byte) PROTOCOL_TCP).put(new byte[3]);
    b.putShort((short) internalPort).putShort((short) suggestedExternalPort);
    b.put(ipv4Mapped(new byte[4])); // no external address suggested
    return b.array();
  }

  /** The mapping a MAP answer grants; throws on an error result or a malformed answer. */
  static Mapping mapping(byte[] packet, int length, byte[] nonce, int internalPort) throws MappingException {
    ByteBuffer b = checked(packet, length, nonce, internalPort);
    long lifetime = b.getInt(4) & 0xffffffffL;
    int external = b.getShort(42) & 0xffff;
    byte[] address = Arrays.copyOfRange(packet, 44, 60);
    if (external == 0 || lifetime == 0) {
      throw new MappingException(MappingFailure.MALFORMED, "PCP answer grants external port " + external + " for "
          + lifetime + " s; a mapping needs both");
    }
    return new Mapping(MappingProtocol.PCP, ipv4Text(address), external, lifetime);
  }

  /** Checks an answer to a deletion (lifetime 0): a success result for our nonce and port. */
  static void deleted(byte[] packet, int length, byte[] nonce, int internalPort) throws MappingException {
    checked(packet, length, nonce, internalPort);
  }

  private static ByteBuffer checked(byte[] packet, int length, byte[] nonce, int internalPort)
      throws MappingException {
    if (length >= 4 && packet[0] == NatPmpCodec.VERSION) {
      // A NAT-PMP-only gateway answers a PCP request with its own "unsupported version" (RFC 6887 §9).
      int result = ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
      throw new MappingException(MappingFailure.UNSUPPORTED, "the gateway speaks NAT-PMP, not PCP (result "
          + result + ")");
    }
    if (length < MAP_SIZE) {
      throw new MappingException(MappingFailure.MALFORMED, "PCP answer of " + length + " bytes, expected at least "
          + MAP_SIZE);
    }
    if (length > MAX_MESSAGE || length % 4 != 0) {
      throw new MappingException(MappingFailure.MALFORMED, "PCP answer of " + length + " bytes is not a PCP "
          + "message (at most 1100, a multiple of 4)");
    }
    ByteBuffer b = ByteBuffer.wrap(packet, 0, length);
    int version = packet[0] & 0xff;
    int opcode = packet[1] & 0xff;
    int result = packet[3] & 0xff;
    if (version != VERSION) {
      throw new MappingException(MappingFailure.UNSUPPORTED, "PCP answer has version " + version);
    }
    if (opcode != (OP_MAP | RESPONSE_BIT)) {
      throw new MappingException(MappingFailure.MALFORMED, "PCP answer has opcode byte " + opcode
          + ", expected a MAP response (" + (OP_MAP | RESPONSE_BIT) + ")");
    }
    if (!Arrays.equals(packet, 24, 36, nonce, 0, NONCE_BYTES)) {
      throw new MappingException(MappingFailure.MALFORMED, "PCP answer carries another request's nonce");
    }
    if (result != 0) {
      throw resultError(result);
    }
    int protocol = packet[36] & 0xff;
    int internal = b.getShort(40) & 0xffff;
    if (protocol != PROTOCOL_TCP || internal != internalPort) {
      throw new MappingException(MappingFailure.MALFORMED, "PCP answer is for protocol " + protocol
          + " internal port " + internal + ", not TCP " + internalPort);
    }
    return b;
  }

  /** RFC 6887 §7.4 result codes. */
  static MappingException resultError(int result) {
    String name = switch (result) {
      case 1 -> "UNSUPP_VERSION";
      case 2 -> "NOT_AUTHORIZED (port mapping is probably switched off in the router)";
      case 3 -> "MALFORMED_REQUEST";
      case 4 -> "UNSUPP_OPCODE";
      case 5 -> "UNSUPP_OPTION";
      case 6 -> "MALFORMED_OPTION";
      case 7 -> "NETWORK_FAILURE (the router has no external address yet)";
      case 8 -> "NO_RESOURCES (the router cannot create more mappings)";
      case 9 -> "UNSUPP_PROTOCOL";
      case 10 -> "USER_EX_QUOTA (this host has too many mappings)";
      case 11 -> "CANNOT_PROVIDE_EXTERNAL";
      case 12 -> "ADDRESS_MISMATCH (the router sees this host at another address: another NAT in between?)";
      case 13 -> "EXCESSIVE_REMOTE_PEERS";
      default -> "unknown";
    };
    MappingFailure failure = result == 1 || result == 4 || result == 9 ? MappingFailure.UNSUPPORTED
        : MappingFailure.REFUSED;
    return new MappingException(failure, "PCP result " + result + ": " + name);
  }

  static byte[] ipv4Mapped(byte[] ipv4) {
    byte[] a = new byte[16];
    a[10] = (byte) 0xff;
    a[11] = (byte) 0xff;
    System.arraycopy(ipv4, 0, a, 12, 4);
    return a;
  }

  /** An IPv4-mapped address as a dotted literal; "" for anything else (PCP may answer IPv6). */
  static String ipv4Text(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return "";
      }
    }
    if ((a[10] & 0xff) != 0xff || (a[11] & 0xff) != 0xff) {
      return "";
    }
    return (a[12] & 0xff) + "." + (a[13] & 0xff) + "." + (a[14] & 0xff) + "." + (a[15] & 0xff);
  }
}
