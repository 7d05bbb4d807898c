package dev.chorus.node.internal.publish;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * One track of a catalog's {@code index.json}: what a client shows and where the node finds it.
 * Tags the file does not have are null (and left out of the JSON).
 *
 * @param trackId the track id, 64 lowercase hex digits
 * @param title title tag, or null
 * @param artist artist tag, or null
 * @param album album tag, or null
 * @param durationMillis duration
 * @param mimeType MIME type, as in the manifest
 * @param bitsPerSecond average bitrate, as in the manifest
 * @param sizeBytes size of the audio object
 * @param originKey the audio object's key under the catalog root, as in the manifest
 * @param publisher the publisher's public key, {@code chorus-ed25519-pub:...}
 * @param sourceFile the name (without directories) of the file it was published from
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"trackId", "title", "artist", "album", "durationMillis", "mimeType",
    "bitsPerSecond", "sizeBytes", "originKey", "publisher", "sourceFile"})
public record CatalogEntry(String trackId, String title, String artist, String album,
    long durationMillis, String mimeType, int bitsPerSecond, long sizeBytes, String originKey,
    String publisher, String sourceFile) {

  public CatalogEntry {
    Objects.requireNonNull(trackId, "trackId");
    Objects.requireNonNull(mimeType, "mimeType");
    Objects.requireNonNull(originKey, "originKey");
  }
}
