package dev.chorus.node.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.chorus.protocol.http.ByteRange;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;

/**
 * Raw bytes on the stream endpoint's port, through the endpoint's HTTP decoder (same limits as
 * {@link StreamServer}) and what the endpoint reads of each request before it serves it: the
 * {@code Host} rule (for a loopback, a wildcard and a specific bind), the request copy with its
 * logged path, and the {@code Range} header. Each request is either answered or refused with 400
 * or 421 and one of {@link HostRule}'s reasons; nothing throws. Seeds in {@code
 * StreamRequestFuzzTestInputs/}; for a fuzzing run see README.md (Testing).
 */
class StreamRequestFuzzTest {
  private static final List<HostRule> RULES = List.of(rule("127.0.0.1"), rule("0.0.0.0"), rule("192.0.2.7"),
      rule("2001:db8::7"));
  private static final Set<String> REASONS = Set.of(HostRule.NO_HOST, HostRule.SEVERAL_HOSTS,
      HostRule.MALFORMED_HOST, HostRule.FOREIGN_HOST);
  private static final long[] LENGTHS = {0, 1, 1L << 40};

  @FuzzTest(maxDuration = "30s")
  void readsOrRefusesEveryRequest(byte[] input) {
    EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(4096, 8192, 8192));
    try {
      channel.writeInbound(Unpooled.wrappedBuffer(input));
      channel.finish();
      Object msg;
      while ((msg = channel.readInbound()) != null) {
        try {
          if (msg instanceof HttpRequest req && !req.decoderResult().isFailure()) {
            read(req);
          }
        } finally {
          ReferenceCountUtil.release(msg);
        }
      }
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  private static void read(HttpRequest req) {
    List<String> hosts = req.headers().getAll(HttpHeaderNames.HOST);
    for (HostRule rule : RULES) {
      HostRule.Refusal refusal = rule.check(hosts);
      if (refusal != null) {
        assertTrue(REASONS.contains(refusal.reason()), refusal::toString);
        assertTrue(refusal.status().equals(HttpResponseStatus.BAD_REQUEST)
            || refusal.status().equals(HttpResponseStatus.MISDIRECTED_REQUEST), refusal::toString);
      } else {
        assertEquals(1, hosts.size());
      }
      Request r = Request.of(req, refusal);
      assertFalse(refusal != null && r.keepAlive(), "a refused request closes its connection");
      assertTrue(r.shownPath().length() <= 201);
      assertFalse(r.shownPath().contains("?"));
    }
    String range = req.headers().get(HttpHeaderNames.RANGE);
    for (long length : LENGTHS) {
      ByteRange answer = ByteRange.parse(range, length);
      assertTrue(answer.kind() != ByteRange.Kind.PARTIAL || answer.last() < length, answer::toString);
    }
  }

  private static HostRule rule(String bind) {
    try {
      return HostRule.forBind(InetAddress.getByName(bind));
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
