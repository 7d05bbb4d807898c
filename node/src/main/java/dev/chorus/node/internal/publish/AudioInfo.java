package dev.chorus.node.internal.publish;

import java.util.Objects;

/**
 * What a publisher needs to know about an audio file: its MIME type (as put in the manifest), the
 * file extension its origin object gets, duration, average bitrate, and the title, artist and
 * album tags where the file has them.
 *
 * @param mimeType e.g. {@code audio/ogg; codecs=opus}
 * @param extension without the dot, e.g. {@code opus}
 * @param durationMillis at least 1
 * @param bitsPerSecond average, at least 1
 * @param title the title tag, or null
 * @param artist the artist tag, or null
 * @param album the album tag, or null
 */
public record AudioInfo(String mimeType, String extension, long durationMillis, int bitsPerSecond,
    String title, String artist, String album) {

  public AudioInfo {
    Objects.requireNonNull(mimeType, "mimeType");
    Objects.requireNonNull(extension, "extension");
    if (durationMillis < 1) {
      throw new IllegalArgumentException("durationMillis must be at least 1, was " + durationMillis);
    }
    if (bitsPerSecond < 1) {
      throw new IllegalArgumentException("bitsPerSecond must be at least 1, was " + bitsPerSecond);
    }
  }
}
