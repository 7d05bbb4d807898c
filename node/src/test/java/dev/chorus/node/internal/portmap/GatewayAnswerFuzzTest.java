package dev.chorus.node.internal.portmap;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;

/**
 * Any answer a gateway (or anything on the LAN pretending to be one) sends to the port-mapping
 * client — a NAT-PMP or PCP datagram, an SSDP reply, a UPnP device description, a SOAP answer or
 * fault — gives either a checked result or a {@link MappingException} with a message; nothing
 * else (no other exception, no hang, no entity expansion). Seeds in {@code
 * GatewayAnswerFuzzTestInputs/}; for a fuzzing run see README.md (Testing) and {@code bench/fuzz}.
 */
class GatewayAnswerFuzzTest {
  private static final byte[] NONCE = new byte[12];
  private static final int PORT = 7401;

  @FuzzTest(maxDuration = "30s")
  void everyAnswerIsCheckedOrRefused(FuzzedDataProvider data) {
    int which = data.consumeInt(0, 7);
    byte[] answer = data.consumeRemainingAsBytes();
    try {
      switch (which) {
        case 0 -> assertNotNull(NatPmpCodec.externalAddress(answer, answer.length));
        case 1 -> {
          Mapping m = NatPmpCodec.mapping(answer, answer.length, PORT, "203.0.113.7");
          assertTrue(m.externalPort() > 0 && m.externalPort() <= 65_535, "port " + m.externalPort());
        }
        case 2 -> {
          Mapping m = PcpCodec.mapping(answer, answer.length, NONCE, PORT);
          assertTrue(m.externalPort() > 0 && m.externalPort() <= 65_535, "port " + m.externalPort());
        }
        case 3 -> PcpCodec.deleted(answer, answer.length, NONCE, PORT);
        case 4 -> assertNotNull(UpnpCodec.location(answer, answer.length));
        case 5 -> assertNotNull(UpnpCodec.service(answer, URI.create("http://192.0.2.1:5000/rootDesc.xml")));
        case 6 -> assertNotNull(UpnpCodec.externalAddress(answer));
        default -> {
          UpnpCodec.actionResponse(answer, "AddPortMapping");
          assertNotNull(UpnpCodec.fault(answer));
        }
      }
    } catch (MappingException e) {
      assertNotNull(e.getMessage());
    }
  }
}
