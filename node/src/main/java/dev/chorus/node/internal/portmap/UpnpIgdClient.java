package dev.chorus.node.internal.portmap;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * UPnP-IGD: SSDP search for a WAN connection service, its device description, then SOAP
 * GetExternalIPAddress, AddPortMapping and DeletePortMapping. Only answers from the gateway are
 * believed: the SSDP answer must come from the gateway's address (when one is known), and the
 * description and control URLs must name the host that answered.
 */
final class UpnpIgdClient implements MappingClient {
  /** An SSDP answer is a few hundred bytes; a larger datagram is not one. */
  private static final int SSDP_BUFFER = 2049;
  /** Datagrams read per search at most (other devices answer too). */
  private static final int MAX_SSDP_ANSWERS = 64;

  private final InetSocketAddress ssdpTarget;
  private final InetAddress gateway;
  private final Duration searchWait;
  private final BoundedHttp http;
  private UpnpCodec.Service service;

  /**
   * @param ssdpTarget where searches go (239.255.255.250:1900 on a LAN; a loopback port in tests)
   * @param gateway the only address answers are accepted from; null to accept the first answer
   */
  UpnpIgdClient(InetSocketAddress ssdpTarget, InetAddress gateway, Duration searchWait, BoundedHttp http) {
    this.ssdpTarget = ssdpTarget;
    this.gateway = gateway;
    this.searchWait = searchWait;
    this.http = http;
  }

  @Override
  public MappingProtocol protocol() {
    return MappingProtocol.UPNP_IGD;
  }

  @Override
  public Mapping map(int internalPort, int suggestedExternalPort, long lifetimeSeconds) throws MappingException {
    UpnpCodec.Service s = service();
    try {
      BoundedHttp.Response ip = call(s, "GetExternalIPAddress", UpnpCodec.getExternalIpAddress(s.type()));
      String external = UpnpCodec.externalAddress(ip.body());
      String client = localAddressTowards(s.controlUrl());
      call(s, "AddPortMapping", UpnpCodec.addPortMapping(s.type(), suggestedExternalPort, internalPort, client,
          lifetimeSeconds));
      return new Mapping(MappingProtocol.UPNP_IGD, external, suggestedExternalPort, lifetimeSeconds);
    } catch (MappingException e) {
      if (e.failure() == MappingFailure.NO_ANSWER || e.failure() == MappingFailure.MALFORMED) {
        service = null; // the gateway may have moved its endpoints (a reboot): search again next time
      }
      throw e;
    }
  }

  @Override
  public void unmap(Mapping mapping, int internalPort) throws MappingException {
    UpnpCodec.Service s = service();
    call(s, "DeletePortMapping", UpnpCodec.deletePortMapping(s.type(), mapping.externalPort()));
  }

  private BoundedHttp.Response call(UpnpCodec.Service s, String action, String body) throws MappingException {
    BoundedHttp.Response r = http.soap(s.controlUrl(), s.type() + "#" + action, body);
    if (r.status() == 200) {
      UpnpCodec.actionResponse(r.body(), action);
      return r;
    }
    UpnpCodec.Fault fault = UpnpCodec.fault(r.body());
    if (fault.code() == 0) {
      throw new MappingException(MappingFailure.REFUSED, "UPnP " + action + " answered HTTP " + r.status()
          + " without a UPnP error");
    }
    throw UpnpCodec.faultError(action, fault);
  }

  private UpnpCodec.Service service() throws MappingException {
    if (service == null) {
      URI location = search();
      BoundedHttp.Response description = http.get(location);
      if (description.status() != 200) {
        throw new MappingException(MappingFailure.MALFORMED, "the UPnP description at " + location
            + " answered HTTP " + description.status());
      }
      UpnpCodec.Service found = UpnpCodec.service(description.body(), location);
      if (!sameHost(found.controlUrl(), location)) {
        throw new MappingException(MappingFailure.MALFORMED, "the UPnP device at " + location
            + " names a control URL on another host: " + found.controlUrl());
      }
      service = found;
    }
    return service;
  }

  private URI search() throws MappingException {
    try (DatagramSocket socket = new DatagramSocket()) {
      String target = ssdpTarget.getAddress().getHostAddress() + ":" + ssdpTarget.getPort();
      for (String type : UpnpCodec.SERVICE_TYPES) {
        byte[] m = UpnpCodec.search(target, type);
        socket.send(new DatagramPacket(m, m.length, ssdpTarget));
      }
      long deadline = System.nanoTime() + searchWait.toNanos();
      byte[] buffer = new byte[SSDP_BUFFER];
      String rejected = "";
      for (int i = 0; i < MAX_SSDP_ANSWERS; i++) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          break;
        }
        socket.setSoTimeout((int) left);
        DatagramPacket in = new DatagramPacket(buffer, buffer.length);
        try {
          socket.receive(in);
        } catch (SocketTimeoutException e) {
          break;
        }
        InetAddress from = in.getAddress();
        if (gateway != null && !gateway.equals(from)) {
          rejected = "; ignored an answer from " + from.getHostAddress() + ", which is not the gateway";
          continue;
        }
        if (in.getLength() >= SSDP_BUFFER) {
          rejected = "; ignored an oversized SSDP answer from " + from.getHostAddress();
          continue;
        }
        Optional<URI> location = UpnpCodec.location(buffer, in.getLength());
        if (location.isEmpty()) {
          continue;
        }
        String host = location.get().getHost();
        if (!isLiteral(host) || !InetAddress.getByName(host).equals(from)) {
          rejected = "; ignored an SSDP answer from " + from.getHostAddress() + " whose LOCATION names another "
              + "host: " + UpnpCodec.abbreviate(location.get().toString());
          continue;
        }
        return location.get();
      }
      throw new MappingException(MappingFailure.NO_ANSWER, "no UPnP gateway answered the SSDP search at " + target
          + " within " + searchWait.toMillis() + " ms" + rejected);
    } catch (IOException e) {
      throw new MappingException(MappingFailure.LOCAL, "UPnP search: " + e.getMessage(), e);
    }
  }

  private static boolean isLiteral(String host) {
    return UpnpCodec.isIpv4Literal(host);
  }

  private static boolean sameHost(URI a, URI b) {
    return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost());
  }

  private static String localAddressTowards(URI url) throws MappingException {
    try (DatagramSocket socket = new DatagramSocket()) {
      int port = url.getPort() > 0 ? url.getPort() : 80;
      socket.connect(new InetSocketAddress(InetAddress.getByName(url.getHost()), port));
      return socket.getLocalAddress().getHostAddress();
    } catch (IOException e) {
      throw new MappingException(MappingFailure.LOCAL, "cannot find this host's address towards " + url + ": "
          + e.getMessage(), e);
    }
  }
}
