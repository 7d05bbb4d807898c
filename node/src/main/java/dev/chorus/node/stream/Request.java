package dev.chorus.node.stream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** What the endpoint needs of a request, copied out of Netty's message (which is then released). */
record Request(HttpMethod method, String uri, HttpVersion version, boolean keepAlive, String range, String ifRange) {
  static Request of(HttpRequest r) {
    return new Request(r.method(), r.uri(), r.protocolVersion(), HttpUtil.isKeepAlive(r),
        r.headers().get(HttpHeaderNames.RANGE), r.headers().get(HttpHeaderNames.IF_RANGE));
  }

  boolean isHead() {
    return HttpMethod.HEAD.equals(method);
  }

  /** The request target for logs: the path, without the query. */
  String shownPath() {
    int q = uri.indexOf('?');
    String p = q < 0 ? uri : uri.substring(0, q);
    return p.length() > 200 ? p.substring(0, 200) + "…" : p;
  }
}
