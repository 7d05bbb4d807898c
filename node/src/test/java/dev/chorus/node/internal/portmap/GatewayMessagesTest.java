package dev.chorus.node.internal.portmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The wire formats, byte for byte, and the meaning given to each gateway result code. */
class GatewayMessagesTest {
  private static final byte[] NONCE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

  @Test
  void natPmpRequestsAreTheRfcLayout() {
    assertArrayEquals(new byte[] {0, 0}, NatPmpCodec.externalAddressRequest());
    assertArrayEquals(new byte[] {0, 2, 0, 0, 0x1c, (byte) 0xe9, 0x1c, (byte) 0xe9, 0, 0, 0x1c, 0x20},
        NatPmpCodec.mapRequest(7401, 7401, 7200));
  }

  @Test
  void natPmpResultCodesBecomeTypedErrors() {
    assertEquals(MappingFailure.UNSUPPORTED, NatPmpCodec.resultError(1).failure());
    for (int code = 2; code <= 4; code++) {
      assertEquals(MappingFailure.REFUSED, NatPmpCodec.resultError(code).failure());
    }
    assertEquals(MappingFailure.UNSUPPORTED, NatPmpCodec.resultError(5).failure());
    assertTrue(NatPmpCodec.resultError(3).getMessage().contains("network failure"));
  }

  @Test
  void aNatPmpMapAnswerForAnotherPortOrWithoutAPortIsRejected() {
    byte[] other = ByteBuffer.allocate(16).put((byte) 0).put((byte) 130).putShort((short) 0).putInt(1)
        .putShort((short) 9999).putShort((short) 7401).putInt(7200).array();
    MappingException e = assertThrows(MappingException.class, () -> NatPmpCodec.mapping(other, 16, 7401, ""));
    assertTrue(e.getMessage().contains("internal port 9999"), e.getMessage());
    byte[] noPort = ByteBuffer.allocate(16).put((byte) 0).put((byte) 130).putShort((short) 0).putInt(1)
        .putShort((short) 7401).putShort((short) 0).putInt(7200).array();
    assertEquals(MappingFailure.MALFORMED,
        assertThrows(MappingException.class, () -> NatPmpCodec.mapping(noPort, 16, 7401, "")).failure());
  }

  @Test
  void pcpMapRequestIsTheRfcLayout() {
    byte[] r = PcpCodec.mapRequest(new byte[] {(byte) 192, 0, 2, 10}, NONCE, 7401, 7402, 7200);
    assertEquals(60, r.length);
    ByteBuffer b = ByteBuffer.wrap(r);
    assertEquals(2, r[0]);
    assertEquals(1, r[1]);
    assertEquals(7200, b.getInt(4));
    assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 10},
        java.util.Arrays.copyOfRange(r, 8, 24));
    assertArrayEquals(NONCE, java.util.Arrays.copyOfRange(r, 24, 36));
    assertEquals(6, r[36]);
    assertEquals(7401, b.getShort(40));
    assertEquals(7402, b.getShort(42));
  }

  @Test
  void pcpResultCodesBecomeTypedErrors() {
    assertEquals(MappingFailure.UNSUPPORTED, PcpCodec.resultError(1).failure());
    assertEquals(MappingFailure.REFUSED, PcpCodec.resultError(2).failure());
    assertEquals(MappingFailure.REFUSED, PcpCodec.resultError(8).failure());
    assertTrue(PcpCodec.resultError(12).getMessage().contains("ADDRESS_MISMATCH"));
    assertTrue(PcpCodec.resultError(99).getMessage().contains("99"));
  }

  @Test
  void aPcpAnswerThatIsNotAMultipleOfFourOrTooLongIsRejected() {
    byte[] odd = new byte[61];
    odd[0] = 2;
    assertEquals(MappingFailure.MALFORMED,
        assertThrows(MappingException.class, () -> PcpCodec.mapping(odd, 61, NONCE, 7401)).failure());
    byte[] big = new byte[1104];
    big[0] = 2;
    assertEquals(MappingFailure.MALFORMED,
        assertThrows(MappingException.class, () -> PcpCodec.mapping(big, 1104, NONCE, 7401)).failure());
  }

  @Test
  void ssdpAnswersGiveTheirLocationOnlyForWanConnectionServices() {
    String ok = "HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:service:WANIPConnection:2\r\n"
        + "Location: http://192.168.1.1:5000/rootDesc.xml\r\n\r\n";
    assertEquals(Optional.of(URI.create("http://192.168.1.1:5000/rootDesc.xml")), location(ok));
    assertEquals(Optional.empty(), location(ok.replace("WANIPConnection:2", "ContentDirectory:1")));
    assertEquals(Optional.empty(), location(ok.replace("http://", "https://")));
    assertEquals(Optional.empty(), location(ok.replace("200 OK", "404 Not Found")));
    assertEquals(Optional.empty(), location("NOTIFY * HTTP/1.1\r\n\r\n"));
  }

  @Test
  void theDescriptionsPreferredServiceIsTakenWithItsControlUrlResolved() throws Exception {
    String xml = "<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device><serviceList>"
        + "<service><serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType>"
        + "<controlURL>/ppp</controlURL></service>"
        + "<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>"
        + "<controlURL>/ip</controlURL></service>"
        + "</serviceList></device></root>";
    UpnpCodec.Service s = UpnpCodec.service(xml.getBytes(StandardCharsets.UTF_8),
        URI.create("http://192.168.1.1:5000/rootDesc.xml"));
    assertEquals("urn:schemas-upnp-org:service:WANIPConnection:1", s.type());
    assertEquals(URI.create("http://192.168.1.1:5000/ip"), s.controlUrl());
  }

  @Test
  void aDescriptionWithoutAWanServiceSaysSo() {
    byte[] xml = "<root><device><serviceList/></device></root>".getBytes(StandardCharsets.UTF_8);
    MappingException e = assertThrows(MappingException.class,
        () -> UpnpCodec.service(xml, URI.create("http://192.168.1.1/d.xml")));
    assertEquals(MappingFailure.UNSUPPORTED, e.failure());
  }

  @Test
  void anInternalEntityIsNotExpandedEither() {
    byte[] bomb = ("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
        + "<r><NewExternalIPAddress>&b;</NewExternalIPAddress></r>").getBytes(StandardCharsets.UTF_8);
    assertEquals(MappingFailure.MALFORMED,
        assertThrows(MappingException.class, () -> UpnpCodec.externalAddress(bomb)).failure());
  }

  @Test
  void soapFaultsBecomeTypedErrors() {
    String fault = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>"
        + "<detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>718</errorCode>"
        + "<errorDescription>ConflictInMappingEntry</errorDescription></UPnPError></detail></s:Fault></s:Body>"
        + "</s:Envelope>";
    UpnpCodec.Fault f = UpnpCodec.fault(fault.getBytes(StandardCharsets.UTF_8));
    assertEquals(new UpnpCodec.Fault(718, "ConflictInMappingEntry"), f);
    MappingException e = UpnpCodec.faultError("AddPortMapping", f);
    assertEquals(MappingFailure.CONFLICT, e.failure());
    assertEquals("UPnP AddPortMapping failed with error 718 ConflictInMappingEntry (the external port is mapped to "
        + "another host)", e.getMessage());
    assertEquals(MappingFailure.PERMANENT_ONLY, UpnpCodec.faultError("AddPortMapping", new UpnpCodec.Fault(725, ""))
        .failure());
    assertEquals(MappingFailure.REFUSED, UpnpCodec.faultError("AddPortMapping", new UpnpCodec.Fault(606, ""))
        .failure());
    assertEquals(new UpnpCodec.Fault(0, ""), UpnpCodec.fault("not xml".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void anExternalAddressThatIsNotAnIpv4LiteralIsRejected() {
    byte[] name = "<r><NewExternalIPAddress>router.example</NewExternalIPAddress></r>".getBytes(StandardCharsets.UTF_8);
    assertEquals(MappingFailure.MALFORMED,
        assertThrows(MappingException.class, () -> UpnpCodec.externalAddress(name)).failure());
  }

  @Test
  void theDefaultGatewayIsTheLowestMetricDefaultRoute() {
    String table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        + "wlan0\t00000000\t0201A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
        + "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
        + "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";
    assertEquals(Optional.of("192.168.1.1"), DefaultGateway.fromProcNetRoute(table));
    assertEquals(Optional.empty(), DefaultGateway.fromProcNetRoute(table.lines().limit(1).findFirst().get()
        + "\neth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"));
    assertEquals(Optional.empty(), DefaultGateway.fromProcNetRoute("garbage"));
  }

  private static Optional<URI> location(String answer) {
    byte[] b = answer.getBytes(StandardCharsets.US_ASCII);
    return UpnpCodec.location(b, b.length);
  }
}
