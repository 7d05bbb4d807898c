package dev.chorus.node.internal.portmap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A home gateway on loopback for tests, speaking the real messages: NAT-PMP and PCP on one UDP
 * port (as on 5351), SSDP on another, and a UPnP-IGD device (description and SOAP control) over
 * HTTP. What it answers is scripted through its public fields; what it was asked is recorded in
 * {@link #requests} and what it maps in {@link #mappings}.
 */
public final class ScriptedGateway implements AutoCloseable {
  /** The external address it reports: a documentation address (RFC 5737). */
  public static final String EXTERNAL_ADDRESS = "203.0.113.7";
  static final String SERVICE = "urn:schemas-upnp-org:service:WANIPConnection:1";

  /** How an answer is broken on purpose. */
  public enum Breakage { NONE, WRONG_NONCE, WRONG_OPCODE, TRUNCATED, OVERSIZED }

  /** How the UPnP device description is served. */
  public enum Description { NORMAL, DOCTYPE_ENTITY, OVERSIZED, FOREIGN_CONTROL_URL, NOT_XML }

  /** A mapping it holds. */
  public record Entry(MappingProtocol protocol, int internalPort, long lifetimeSeconds) {}

  public volatile boolean pcp = true;
  public volatile boolean natPmp = true;
  public volatile boolean upnp = true;
  public volatile int pcpResult;
  public volatile int natPmpResult;
  /** The external port granted; 0: the one suggested. */
  public volatile int grantPort;
  /** The lifetime granted; 0: the one asked for. */
  public volatile long grantLifetime;
  public volatile Breakage pcpBreakage = Breakage.NONE;
  public volatile Breakage natPmpBreakage = Breakage.NONE;
  public volatile Description description = Description.NORMAL;
  /** UPnP error codes AddPortMapping answers with, first to last, before it succeeds. */
  public final ConcurrentLinkedDeque<Integer> addPortMappingFaults = new ConcurrentLinkedDeque<>();
  /** Requests, in order, like "pcp map 7401->7401 7200", "nat-pmp address", "upnp AddPortMapping 7401". */
  public final List<String> requests = new CopyOnWriteArrayList<>();
  /** External port → what it forwards to. */
  public final Map<Integer, Entry> mappings = new ConcurrentHashMap<>();

  private final DatagramSocket udp;
  private final DatagramSocket ssdp;
  private final HttpServer http;
  private final List<Thread> threads = new ArrayList<>();

  public ScriptedGateway() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
    ssdp = new DatagramSocket(new InetSocketAddress(loopback, 0));
    http = HttpServer.create(new InetSocketAddress(loopback, 0), 8);
    http.createContext("/rootDesc.xml", this::description);
    http.createContext("/ctl/IPConn", this::control);
    http.start();
    threads.add(serve("gateway-udp", udp, this::answerUdp));
    threads.add(serve("gateway-ssdp", ssdp, this::answerSsdp));
  }

  /** A client configuration that talks to this gateway only. */
  public PortMappingConfig.Builder config() {
    return PortMappingConfig.builder()
        .gateway(InetAddress.getLoopbackAddress())
        .gatewayPort(udp.getLocalPort())
        .ssdpTarget(new InetSocketAddress(InetAddress.getLoopbackAddress(), ssdp.getLocalPort()))
        .udpInitialTimeout(java.time.Duration.ofMillis(100))
        .udpSends(2)
        .ssdpWait(java.time.Duration.ofMillis(500))
        .httpTimeout(java.time.Duration.ofSeconds(2));
  }

  public int udpPort() {
    return udp.getLocalPort();
  }

  /** Requests that start with {@code prefix}. */
  public long count(String prefix) {
    return requests.stream().filter(r -> r.startsWith(prefix)).count();
  }

  private interface Handler {
    void handle(DatagramPacket in) throws IOException;
  }

  private static Thread serve(String name, DatagramSocket socket, Handler handler) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[2048];
      while (!socket.isClosed()) {
        DatagramPacket in = new DatagramPacket(buffer, buffer.length);
        try {
          socket.receive(in);
          handler.handle(in);
        } catch (SocketException e) {
          return; // closed
        } catch (IOException | RuntimeException e) {
          // a broken request must not stop the fake; the test sees the missing answer
        }
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  // ------------------------------------------------------------------ NAT-PMP and PCP

  private void answerUdp(DatagramPacket in) throws IOException {
    byte[] q = Arrays.copyOf(in.getData(), in.getLength());
    if (q.length >= 2 && q[0] == 0) {
      if (natPmp) {
        reply(in, natPmp(q));
      }
    } else if (q.length >= 24 && q[0] == 2) {
      if (pcp) {
        reply(in, pcp(q, in.getAddress()));
      } else if (natPmp) { // what a NAT-PMP-only gateway does with a PCP request (RFC 6887 §9)
        requests.add("pcp refused: nat-pmp only");
        reply(in, ByteBuffer.allocate(8).put((byte) 0).put((byte) (0x80 | q[1])).putShort((short) 1).putInt(1).array());
      }
    }
  }

  private void reply(DatagramPacket in, byte[] answer) throws IOException {
    udp.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
  }

  private byte[] natPmp(byte[] q) {
    int opcode = q[1] & 0xff;
    int result = natPmpResult;
    if (opcode == 0) {
      requests.add("nat-pmp address");
      ByteBuffer b = ByteBuffer.allocate(12).put((byte) 0).put((byte) 128).putShort((short) result).putInt(42);
      b.put(InetAddressBytes.of(EXTERNAL_ADDRESS));
      return broken(b.array(), natPmpBreakage);
    }
    ByteBuffer r = ByteBuffer.wrap(q);
    int internal = r.getShort(4) & 0xffff;
    int suggested = r.getShort(6) & 0xffff;
    long lifetime = r.getInt(8) & 0xffffffffL;
    ByteBuffer b = ByteBuffer.allocate(16).put((byte) 0).put((byte) (128 + opcode)).putShort((short) result).putInt(42);
    if (opcode != 2) {
      requests.add("nat-pmp opcode " + opcode);
      return b.putShort(2, (short) 5).array();
    }
    if (result != 0) {
      requests.add("nat-pmp map refused " + result);
      return b.putShort((short) internal).putShort((short) 0).putInt(0).array();
    }
    if (lifetime == 0) {
      requests.add("nat-pmp delete " + internal);
      mappings.values().removeIf(e -> e.protocol() == MappingProtocol.NAT_PMP && e.internalPort() == internal);
      return b.putShort((short) internal).putShort((short) 0).putInt(0).array();
    }
    int external = grantPort != 0 ? grantPort : suggested != 0 ? suggested : internal;
    long granted = grantLifetime != 0 ? grantLifetime : lifetime;
    requests.add("nat-pmp map " + internal + "->" + suggested + " " + lifetime);
    mappings.put(external, new Entry(MappingProtocol.NAT_PMP, internal, granted));
    return broken(b.putShort((short) internal).putShort((short) external).putInt((int) granted).array(), natPmpBreakage);
  }

  private byte[] pcp(byte[] q, InetAddress from) {
    ByteBuffer r = ByteBuffer.wrap(q);
    long lifetime = r.getInt(4) & 0xffffffffL;
    byte[] client = Arrays.copyOfRange(q, 8, 24);
    int opcode = q[1] & 0x7f;
    int internal = q.length >= 60 ? r.getShort(40) & 0xffff : 0;
    int suggested = q.length >= 60 ? r.getShort(42) & 0xffff : 0;
    int result = pcpResult;
    if (opcode != 1 || q.length < 60) {
      result = 4; // UNSUPP_OPCODE
    } else if (!Arrays.equals(client, PcpCodec.ipv4Mapped(from.getAddress()))) {
      result = 12; // ADDRESS_MISMATCH
    }
    ByteBuffer b = ByteBuffer.allocate(60);
    b.put((byte) 2).put((byte) (0x80 | opcode)).put((byte) 0).put((byte) result);
    int external = 0;
    long granted = 0;
    if (result == 0 && lifetime == 0) {
      requests.add("pcp delete " + internal);
      mappings.values().removeIf(e -> e.protocol() == MappingProtocol.PCP && e.internalPort() == internal);
    } else if (result == 0) {
      external = grantPort != 0 ? grantPort : suggested != 0 ? suggested : internal;
      granted = grantLifetime != 0 ? grantLifetime : lifetime;
      requests.add("pcp map " + internal + "->" + suggested + " " + lifetime);
      mappings.put(external, new Entry(MappingProtocol.PCP, internal, granted));
    } else {
      requests.add("pcp map refused " + result);
      granted = 30; // how long the error holds (RFC 6887 §7.2)
    }
    b.putInt((int) granted).putInt(42).put(new byte[12]);
    b.put(q, 24, 12).put((byte) 6).put(new byte[3]).putShort((short) internal).putShort((short) external);
    b.put(PcpCodec.ipv4Mapped(result == 0 && lifetime != 0 ? InetAddressBytes.of(EXTERNAL_ADDRESS) : new byte[4]));
    return broken(b.array(), pcpBreakage);
  }

  private static byte[] broken(byte[] answer, Breakage breakage) {
    return switch (breakage) {
      case NONE -> answer;
      case WRONG_NONCE -> {
        byte[] a = answer.clone();
        a[24] ^= 1;
        yield a;
      }
      case WRONG_OPCODE -> {
        byte[] a = answer.clone();
        a[1] ^= 0x01;
        yield a;
      }
      case TRUNCATED -> Arrays.copyOf(answer, 10);
      case OVERSIZED -> Arrays.copyOf(answer, 1200);
    };
  }

  // ------------------------------------------------------------------ UPnP-IGD

  private void answerSsdp(DatagramPacket in) throws IOException {
    String q = new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
    if (!upnp || !q.startsWith("M-SEARCH * HTTP/1.1") || !q.contains("ST: " + SERVICE + "\r\n")) {
      return;
    }
    requests.add("upnp search");
    String answer = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: " + SERVICE + "\r\n"
        + "USN: uuid:00000000-0000-0000-0000-000000000001::" + SERVICE + "\r\nEXT:\r\nSERVER: scripted UPnP/1.1\r\n"
        + "LOCATION: http://127.0.0.1:" + http.getAddress().getPort() + "/rootDesc.xml\r\n\r\n";
    byte[] a = answer.getBytes(StandardCharsets.US_ASCII);
    ssdp.send(new DatagramPacket(a, a.length, in.getSocketAddress()));
  }

  private void description(HttpExchange ex) throws IOException {
    requests.add("upnp description");
    String control = description == Description.FOREIGN_CONTROL_URL ? "http://192.0.2.1:5000/ctl/IPConn" : "/ctl/IPConn";
    String xml = "<?xml version=\"1.0\"?>\n"
        + (description == Description.DOCTYPE_ENTITY
            ? "<!DOCTYPE root [<!ENTITY leak SYSTEM \"file:///etc/hostname\">]>\n" : "")
        + "<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion><major>1</major><minor>1</minor></specVersion>"
        + "<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>"
        + "<friendlyName>scripted" + (description == Description.DOCTYPE_ENTITY ? "&leak;" : "") + "</friendlyName>"
        + "<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType><deviceList><device>"
        + "<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType><serviceList>"
        + "<service><serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType>"
        + "<controlURL>/ctl/CmnIfCfg</controlURL></service>"
        + "<service><serviceType>" + SERVICE + "</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>"
        + "<controlURL>" + control + "</controlURL><eventSubURL>/evt/IPConn</eventSubURL>"
        + "<SCPDURL>/WANIPCn.xml</SCPDURL></service>"
        + "</serviceList></device></deviceList></device></deviceList></device></root>";
    if (description == Description.OVERSIZED) {
      xml = xml.replace("</root>", "<!--" + "x".repeat(100_000) + "--></root>");
    } else if (description == Description.NOT_XML) {
      xml = "<root><device>";
    }
    send(ex, 200, xml);
  }

  private static final Pattern ARG = Pattern.compile("<(New[A-Za-z]+)>([^<]*)</");

  private void control(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readNBytes(16_384), StandardCharsets.UTF_8);
    String soapAction = String.valueOf(ex.getRequestHeaders().getFirst("SOAPAction"));
    String action = soapAction.substring(soapAction.indexOf('#') + 1).replace("\"", "");
    Map<String, String> args = new ConcurrentHashMap<>();
    Matcher m = ARG.matcher(body);
    while (m.find()) {
      args.put(m.group(1), m.group(2));
    }
    if (!upnp) {
      send(ex, 500, fault(501, "ActionFailed"));
      return;
    }
    switch (action) {
      case "GetExternalIPAddress" -> {
        requests.add("upnp GetExternalIPAddress");
        send(ex, 200, response(action, "<NewExternalIPAddress>" + EXTERNAL_ADDRESS + "</NewExternalIPAddress>"));
      }
      case "AddPortMapping" -> {
        int external = Integer.parseInt(args.getOrDefault("NewExternalPort", "0"));
        int internal = Integer.parseInt(args.getOrDefault("NewInternalPort", "0"));
        long lease = Long.parseLong(args.getOrDefault("NewLeaseDuration", "0"));
        requests.add("upnp AddPortMapping " + external + " " + lease + " " + args.get("NewInternalClient"));
        Integer faultCode = addPortMappingFaults.poll();
        if (faultCode != null) {
          send(ex, 500, fault(faultCode, switch (faultCode) {
            case 718 -> "ConflictInMappingEntry";
            case 725 -> "OnlyPermanentLeasesSupported";
            case 606 -> "Action not authorized";
            default -> "ActionFailed";
          }));
          return;
        }
        mappings.put(external, new Entry(MappingProtocol.UPNP_IGD, internal, lease));
        send(ex, 200, response(action, ""));
      }
      case "DeletePortMapping" -> {
        int external = Integer.parseInt(args.getOrDefault("NewExternalPort", "0"));
        requests.add("upnp DeletePortMapping " + external);
        if (mappings.remove(external) == null) {
          send(ex, 500, fault(714, "NoSuchEntryInArray"));
        } else {
          send(ex, 200, response(action, ""));
        }
      }
      default -> send(ex, 500, fault(401, "Invalid Action"));
    }
  }

  private static String response(String action, String content) {
    return "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:" + action + "Response xmlns:u=\""
        + SERVICE + "\">" + content + "</u:" + action + "Response></s:Body></s:Envelope>\r\n";
  }

  private static String fault(int code, String description) {
    return "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><s:Fault><faultcode>s:Client</faultcode>"
        + "<faultstring>UPnPError</faultstring><detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\">"
        + "<errorCode>" + code + "</errorCode><errorDescription>" + description + "</errorDescription></UPnPError>"
        + "</detail></s:Fault></s:Body></s:Envelope>\r\n";
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/xml; charset=\"utf-8\"");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    udp.close();
    ssdp.close();
    http.stop(0);
    for (Thread t : threads) {
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Dotted IPv4 text to bytes, without a name lookup. */
  static final class InetAddressBytes {
    static byte[] of(String dotted) {
      String[] p = dotted.split("\\.");
      byte[] b = new byte[4];
      for (int i = 0; i < 4; i++) {
        b[i] = (byte) Integer.parseInt(p[i]);
      }
      return b;
    }
  }
}
