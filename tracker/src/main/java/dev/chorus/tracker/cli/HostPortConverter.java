package dev.chorus.tracker.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code host:port}, {@code [v6]:port} or just {@code :port} (all interfaces). */
final class HostPortConverter implements ITypeConverter<InetSocketAddress> {
  @Override
  public InetSocketAddress convert(String value) {
    int colon = value.lastIndexOf(':');
    if (colon < 0) {
      throw new TypeConversionException("'" + value + "' is not host:port (e.g. 0.0.0.0:7070 or :7070)");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "': the port must be a number");
    }
    if (port < 0 || port > 65535) {
      throw new TypeConversionException("'" + value + "': the port must be 0..65535");
    }
    return new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, port);
  }
}
