package dev.chorus.node.internal.portmap;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * UPnP-IGD messages: SSDP search and answer, the device description, SOAP requests and answers.
 * Pure (text and bytes in and out). XML is parsed with DOCTYPEs refused, so no entity, external or
 * internal, is ever expanded.
 */
final class UpnpCodec {
  /** The WAN connection services that can map ports, preferred first. */
  static final List<String> SERVICE_TYPES = List.of(
      "urn:schemas-upnp-org:service:WANIPConnection:2",
      "urn:schemas-upnp-org:service:WANIPConnection:1",
      "urn:schemas-upnp-org:service:WANPPPConnection:1");
  static final String DESCRIPTION = "Chorus peer port";

  private UpnpCodec() {}

  /** A gateway's control endpoint for one service. */
  record Service(String type, URI controlUrl) {}

  /** A SOAP fault: the UPnP error code (0 if none was given) and its description. */
  record Fault(int code, String description) {}

  static byte[] search(String hostPort, String serviceType) {
    return ("M-SEARCH * HTTP/1.1\r\n"
        + "HOST: " + hostPort + "\r\n"
        + "MAN: \"ssdp:discover\"\r\n"
        + "MX: 2\r\n"
        + "ST: " + serviceType + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The LOCATION of an SSDP answer ({@code HTTP/1.1 200 OK}), if it is one for a WAN connection
   * service; empty for anything else (other devices answer searches too).
   */
  static Optional<URI> location(byte[] packet, int length) {
    String text = new String(packet, 0, length, StandardCharsets.ISO_8859_1);
    String[] lines = text.split("\r?\n");
    if (lines.length == 0 || !lines[0].toUpperCase(Locale.ROOT).startsWith("HTTP/1.1 200")) {
      return Optional.empty();
    }
    String location = null;
    String st = null;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = line.substring(0, colon).trim().toUpperCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      if (name.equals("LOCATION")) {
        location = value;
      } else if (name.equals("ST")) {
        st = value;
      }
    }
    if (location == null || st == null || !SERVICE_TYPES.contains(st)) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(location);
      if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        return Optional.empty();
      }
      return Optional.of(uri);
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  /** The best WAN connection service in a device description fetched from {@code location}. */
  static Service service(byte[] xml, URI location) throws MappingException {
    Document doc = parse(xml, "the device description");
    URI base = location;
    String urlBase = firstText(doc.getDocumentElement(), "URLBase");
    if (urlBase != null && !urlBase.isBlank()) {
      base = uri(urlBase.trim(), "URLBase");
    }
    NodeList services = doc.getElementsByTagNameNS("*", "service");
    for (String wanted : SERVICE_TYPES) {
      for (int i = 0; i < services.getLength(); i++) {
        Element s = (Element) services.item(i);
        String type = firstText(s, "serviceType");
        String control = firstText(s, "controlURL");
        if (type != null && type.trim().equals(wanted) && control != null && !control.isBlank()) {
          URI url = base.resolve(uri(control.trim(), "controlURL"));
          if (!"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw new MappingException(MappingFailure.MALFORMED, "UPnP controlURL " + url + " is not an http URL");
          }
          return new Service(wanted, url);
        }
      }
    }
    throw new MappingException(MappingFailure.UNSUPPORTED, "the UPnP device at " + location
        + " offers no WANIPConnection or WANPPPConnection service");
  }

  static String getExternalIpAddress(String serviceType) {
    return envelope(serviceType, "GetExternalIPAddress", "");
  }

  static String addPortMapping(String serviceType, int externalPort, int internalPort, String internalClient,
      long leaseSeconds) {
    return envelope(serviceType, "AddPortMapping",
        "<NewRemoteHost></NewRemoteHost>"
            + "<NewExternalPort>" + externalPort + "</NewExternalPort>"
            + "<NewProtocol>TCP</NewProtocol>"
            + "<NewInternalPort>" + internalPort + "</NewInternalPort>"
            + "<NewInternalClient>" + internalClient + "</NewInternalClient>"
            + "<NewEnabled>1</NewEnabled>"
            + "<NewPortMappingDescription>" + DESCRIPTION + "</NewPortMappingDescription>"
            + "<NewLeaseDuration>" + leaseSeconds + "</NewLeaseDuration>");
  }

  static String deletePortMapping(String serviceType, int externalPort) {
    return envelope(serviceType, "DeletePortMapping",
        "<NewRemoteHost></NewRemoteHost>"
            + "<NewExternalPort>" + externalPort + "</NewExternalPort>"
            + "<NewProtocol>TCP</NewProtocol>");
  }

  private static String envelope(String serviceType, String action, String arguments) {
    return "<?xml version=\"1.0\"?>\r\n"
        + "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
        + "<s:Body><u:" + action + " xmlns:u=\"" + serviceType + "\">" + arguments + "</u:" + action + ">"
        + "</s:Body></s:Envelope>";
  }

  /** The external address in a GetExternalIPAddress answer: a dotted IPv4 literal. */
  static String externalAddress(byte[] xml) throws MappingException {
    Document doc = parse(xml, "the GetExternalIPAddress answer");
    String ip = firstText(doc.getDocumentElement(), "NewExternalIPAddress");
    if (ip == null || !isIpv4Literal(ip.trim())) {
      throw new MappingException(MappingFailure.MALFORMED, "UPnP GetExternalIPAddress answer has no IPv4 address"
          + (ip == null ? "" : " ('" + abbreviate(ip) + "')"));
    }
    return ip.trim();
  }

  /** Checks that a SOAP answer is the {@code action}'s response element. */
  static void actionResponse(byte[] xml, String action) throws MappingException {
    Document doc = parse(xml, "the " + action + " answer");
    if (doc.getElementsByTagNameNS("*", action + "Response").getLength() == 0) {
      throw new MappingException(MappingFailure.MALFORMED, "UPnP answer to " + action + " has no "
          + action + "Response");
    }
  }

  /** The UPnP error in a SOAP fault; code 0 if the body is not one. */
  static Fault fault(byte[] xml) {
    try {
      Document doc = parse(xml, "the SOAP fault");
      String code = firstText(doc.getDocumentElement(), "errorCode");
      String description = firstText(doc.getDocumentElement(), "errorDescription");
      int n = code == null ? 0 : Integer.parseInt(code.trim());
      return new Fault(n, description == null ? "" : abbreviate(description.trim()));
    } catch (MappingException | NumberFormatException e) {
      return new Fault(0, "");
    }
  }

  /** What a UPnP error code means for the next step (UPnP-gw-WANIPConnection, section 2.4.16). */
  static MappingException faultError(String action, Fault fault) {
    String text = "UPnP " + action + " failed with error " + fault.code()
        + (fault.description().isEmpty() ? "" : " " + fault.description());
    return switch (fault.code()) {
      case 718 -> new MappingException(MappingFailure.CONFLICT, text + " (the external port is mapped to "
          + "another host)");
      case 725 -> new MappingException(MappingFailure.PERMANENT_ONLY, text + " (only permanent leases)");
      case 401, 602 -> new MappingException(MappingFailure.UNSUPPORTED, text);
      case 606 -> new MappingException(MappingFailure.REFUSED, text + " (not authorized: port mapping is "
          + "probably switched off in the router)");
      default -> new MappingException(MappingFailure.REFUSED, text);
    };
  }

  static Document parse(byte[] xml, String what) throws MappingException {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      DocumentBuilder builder = f.newDocumentBuilder();
      builder.setErrorHandler(null);
      return builder.parse(new ByteArrayInputStream(xml));
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser lacks a safety feature", e);
    } catch (SAXException | IOException e) {
      throw new MappingException(MappingFailure.MALFORMED, what + " is not well-formed XML (or has a DOCTYPE): "
          + abbreviate(String.valueOf(e.getMessage())), e);
    }
  }

  private static String firstText(Element root, String localName) {
    NodeList list = root.getElementsByTagNameNS("*", localName);
    if (list.getLength() == 0) {
      return null;
    }
    Node n = list.item(0);
    return n.getTextContent();
  }

  private static URI uri(String text, String what) throws MappingException {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new MappingException(MappingFailure.MALFORMED, "UPnP " + what + " '" + abbreviate(text)
          + "' is not a URL", e);
    }
  }

  static boolean isIpv4Literal(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "…";
  }
}
