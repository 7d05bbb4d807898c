package dev.chorus.node.internal.publish;

import java.nio.file.Path;

/** Reads an audio file's format, duration, bitrate and tags. Implementations are thread-safe. */
public interface AudioProbe {
  /**
   * What {@code file} is.
   *
   * @throws AudioProbeException if the file cannot be read, is not audio, or is audio in a format
   *     Chorus does not publish; the message says which, without the file name
   */
  AudioInfo probe(Path file) throws AudioProbeException;
}
