package dev.chorus.node.internal.originclient;

import dev.chorus.protocol.manifest.ManifestException;
import dev.chorus.protocol.manifest.ManifestVerifier;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a 2xx answer must hold: a manifest that verifies against the track id, or exactly the range
 * asked for ({@code Content-Range} and length checked) whose chunks, when chunks were asked for,
 * verify against the manifest. A check that fails throws {@link BadContent}, which the request turns
 * into {@link OriginException.Kind#BAD_CONTENT} and a try on the next origin. Pure: no I/O.
 */
final class OriginContent {
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  private OriginContent() {}

  /** Checks a 2xx response and turns it into the request's value. */
  @FunctionalInterface
  interface BodyCheck<T> {
    T check(HttpResponse<byte[]> response) throws BadContent;
  }

  /** Checks a range's bytes further (e.g. chunk hashes) and turns them into the value. */
  @FunctionalInterface
  interface RangeCheck<T> {
    T apply(HttpResponse<byte[]> response, byte[] body) throws BadContent;
  }

  /** The origin answered 2xx, but not with what the request needs. */
  static final class BadContent extends Exception {
    private static final long serialVersionUID = 1L;

    BadContent(String message) {
      super(message, null, false, false);
    }
  }

  /** The body is the signed manifest of track {@code id}. */
  static BodyCheck<TrackManifest> manifest(TrackId id) {
    return response -> {
      try {
        return ManifestVerifier.create().verify(id, response.body());
      } catch (ManifestException e) {
        throw new BadContent("the manifest does not verify against the track id: " + e.getMessage());
      }
    };
  }

  /** The value of {@code "bytes=" + offset + "-" + last} as sent in {@code Range}. */
  static String rangeHeader(long offset, int length) {
    return "bytes=" + offset + "-" + (offset + length - 1);
  }

  /**
   * The response is exactly bytes {@code [offset, offset + length)} of the file {@code m}
   * describes (a 206 with that Content-Range, or a 200 if that is the whole file); then {@code then}.
   */
  static <T> BodyCheck<T> range(TrackManifest m, long offset, int length, RangeCheck<T> then) {
    long last = offset + length - 1;
    String range = rangeHeader(offset, length);
    return response -> {
      byte[] body = response.body();
      if (response.statusCode() == 206) {
        String contentRange = response.headers().firstValue("content-range").orElse("");
        Matcher cr = CONTENT_RANGE.matcher(contentRange.strip());
        boolean rangeOk = cr.matches() && cr.group(1).equals(Long.toString(offset))
            && cr.group(2).equals(Long.toString(last))
            && (cr.group(3).equals("*") || cr.group(3).equals(Long.toString(m.sizeBytes())));
        if (!rangeOk) {
          throw new BadContent("asked for " + range + " of a " + m.sizeBytes()
              + "-byte file, got Content-Range '" + contentRange + "'");
        }
      } else if (response.statusCode() != 200 || offset != 0 || length != m.sizeBytes()) {
        throw new BadContent("asked for " + range + ", got status " + response.statusCode()
            + " (the origin ignores Range requests; serve the catalog from one that honours them)");
      }
      if (body.length != length) {
        throw new BadContent("asked for " + length + " bytes (" + range + "), got " + body.length
            + " (the object is not the file the manifest describes)");
      }
      return then.apply(response, body);
    };
  }

  /** Splits a range's bytes into chunks {@code firstChunk..last} and verifies each. */
  static RangeCheck<List<byte[]>> chunks(TrackManifest manifest, int firstChunk, int last) {
    return (response, body) -> {
      ManifestVerifier verifier = ManifestVerifier.create();
      List<byte[]> chunks = new ArrayList<>(last - firstChunk + 1);
      int from = 0;
      for (int i = firstChunk; i <= last; i++) {
        byte[] chunk = Arrays.copyOfRange(body, from, from + manifest.chunkLength(i));
        from += chunk.length;
        try {
          verifier.verifyChunk(manifest, i, chunk);
        } catch (ManifestException e) {
          throw new BadContent("chunk " + i + " does not verify against the manifest: " + e.getMessage());
        }
        chunks.add(chunk);
      }
      return List.copyOf(chunks);
    };
  }
}
