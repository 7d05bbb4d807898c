package dev.chorus.node.internal.portmap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP to a UPnP gateway, bounded: connect and read timeouts, an overall deadline checked after
 * every read, a body of at most {@code maxBodyBytes}, no proxy, no redirects.
 */
final class BoundedHttp {
  private final Duration timeout;
  private final int maxBodyBytes;

  BoundedHttp(Duration timeout, int maxBodyBytes) {
    this.timeout = timeout;
    this.maxBodyBytes = maxBodyBytes;
  }

  record Response(int status, byte[] body) {}

  Response get(URI url) throws MappingException {
    return exchange(url, null, null);
  }

  Response soap(URI url, String soapAction, String body) throws MappingException {
    return exchange(url, soapAction, body);
  }

  private Response exchange(URI url, String soapAction, String body) throws MappingException {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) url.toURL().openConnection(Proxy.NO_PROXY);
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      int millis = (int) Math.max(1, timeout.toMillis());
      c.setConnectTimeout(millis);
      c.setReadTimeout(millis);
      if (body != null) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(bytes.length);
        c.setRequestProperty("Content-Type", "text/xml; charset=\"utf-8\"");
        c.setRequestProperty("SOAPAction", "\"" + soapAction + "\"");
        try (OutputStream out = c.getOutputStream()) {
          out.write(bytes);
        }
      }
      int status = c.getResponseCode();
      long declared = c.getContentLengthLong();
      if (declared > maxBodyBytes) {
        throw new MappingException(MappingFailure.MALFORMED, url + " answered " + declared + " bytes, more than the "
            + maxBodyBytes + " a gateway needs");
      }
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      byte[] read = in == null ? new byte[0] : readBounded(in, url, deadline);
      return new Response(status, read);
    } catch (SocketTimeoutException e) {
      throw new MappingException(MappingFailure.NO_ANSWER, url + " did not answer within " + timeout.toMillis()
          + " ms", e);
    } catch (IOException e) {
      throw new MappingException(MappingFailure.NO_ANSWER, url + ": " + e.getMessage(), e);
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  private byte[] readBounded(InputStream in, URI url, long deadline) throws IOException, MappingException {
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        if (out.size() > maxBodyBytes) {
          throw new MappingException(MappingFailure.MALFORMED, url + " sent more than " + maxBodyBytes
              + " bytes, more than a gateway needs");
        }
        if (System.nanoTime() - deadline > 0) {
          throw new MappingException(MappingFailure.MALFORMED, url + " took longer than " + timeout.toMillis()
              + " ms to send its answer");
        }
      }
      return out.toByteArray();
    }
  }
}
