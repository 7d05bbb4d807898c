package dev.chorus.node.stream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What the endpoint needs of a request, copied out of Netty's message (which is then released).
 * {@code refusal}: why it is not to be answered (its {@code Host}), or null.
 */
record Request(HttpMethod method, String uri, HttpVersion version, boolean keepAlive, String range, String ifRange,
    HostRule.Refusal refusal) {
  static Request of(HttpRequest r, HostRule.Refusal refusal) {
    return new Request(r.method(), r.uri(), r.protocolVersion(), refusal == null && HttpUtil.isKeepAlive(r),
        r.headers().get(HttpHeaderNames.RANGE), r.headers().get(HttpHeaderNames.IF_RANGE), refusal);
  }

  /** This request, answered with {@code Connection: close}. */
  Request closing() {
    return new Request(method, uri, version, false, range, ifRange, refusal);
  }

  boolean isHead() {
    return HttpMethod.HEAD.equals(method);
  }

  /**
   * The request target for logs: the path, without the query, and without the token of {@code
   * /t/<token>/…} (which is not to be logged, right or wrong).
   */
  String shownPath() {
    int q = uri.indexOf('?');
    String p = q < 0 ? uri : uri.substring(0, q);
    if (p.startsWith(StreamServer.TOKEN_PREFIX)) {
      int end = p.indexOf('/', StreamServer.TOKEN_PREFIX.length());
      p = StreamServer.TOKEN_PREFIX + "…" + (end < 0 ? "" : p.substring(end));
    }
    return p.length() > 200 ? p.substring(0, 200) + "…" : p;
  }
}
