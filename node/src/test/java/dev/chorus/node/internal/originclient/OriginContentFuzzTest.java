package dev.chorus.node.internal.originclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.chorus.protocol.manifest.TrackManifest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * Any 2xx answer of an origin (status, {@code Content-Range}, body) to a manifest request and to
 * a chunk range request: the origin client either gets exactly the verified manifest or chunks it
 * asked for, or a {@link OriginContent.BadContent} with a message; nothing else. Seeds in {@code
 * OriginContentFuzzTestInputs/}; for a fuzzing run see README.md (Testing).
 */
class OriginContentFuzzTest {
  /** Three chunks, the last one short: 2 × 16 KiB + 1000 bytes. */
  private static final TestCatalog.Track TRACK = TestCatalog.track(7, 2 * TestCatalog.CHUNK_BYTES + 1000, "a/b.ogg");

  @FuzzTest(maxDuration = "30s")
  void acceptsOnlyWhatWasAskedFor(FuzzedDataProvider data) {
    TrackManifest m = TRACK.manifest();
    int first = data.consumeInt(0, m.chunkCount() - 1);
    int last = data.consumeInt(first, m.chunkCount() - 1);
    long offset = m.chunkOffset(first);
    int length = (int) (m.chunkOffset(last) + m.chunkLength(last) - offset);
    int status = data.pickValue(new int[] {200, 206, 204});
    String contentRange = data.consumeBoolean() ? "bytes " + offset + "-" + (offset + length - 1) + "/" + m.sizeBytes()
        : data.consumeString(60);
    boolean realBody = data.consumeBoolean();
    byte[] body = realBody ? TRACK.range(offset, length) : data.consumeRemainingAsBytes();
    if (realBody && data.remainingBytes() > 0) {
      body[data.consumeInt(0, body.length - 1)] ^= 1; // one flipped bit anywhere must be caught
    }
    Response response = new Response(status, contentRange, body);
    try {
      List<byte[]> chunks = OriginContent.range(m, offset, length, OriginContent.chunks(m, first, last))
          .check(response);
      assertEquals(last - first + 1, chunks.size());
      for (int i = first; i <= last; i++) {
        assertArrayEquals(TRACK.chunk(i), chunks.get(i - first), "chunk " + i);
      }
    } catch (OriginContent.BadContent e) {
      assertNotNull(e.getMessage());
    }
    try {
      TrackManifest got = OriginContent.manifest(m.trackId()).check(new Response(200, "", body));
      assertArrayEquals(m.encoded(), got.encoded());
    } catch (OriginContent.BadContent e) {
      assertNotNull(e.getMessage());
    }
  }

  private record Response(int statusCode, String contentRange, byte[] body) implements HttpResponse<byte[]> {
    @Override
    public HttpRequest request() {
      return HttpRequest.newBuilder(URI.create("http://origin.invalid/a/b.ogg")).build();
    }

    @Override
    public Optional<HttpResponse<byte[]>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public HttpHeaders headers() {
      return HttpHeaders.of(Map.of("content-range", List.of(contentRange)), (k, v) -> true);
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return request().uri();
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
