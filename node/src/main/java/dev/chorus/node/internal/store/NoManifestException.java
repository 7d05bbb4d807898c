package dev.chorus.node.internal.store;

import dev.chorus.protocol.manifest.TrackId;

/** A chunk was offered for a track whose manifest the store does not hold. */
public final class NoManifestException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient TrackId trackId;

  public NoManifestException(TrackId trackId) {
    super("no manifest stored for track " + trackId);
    this.trackId = trackId;
  }

  /** The track without a manifest. */
  public TrackId trackId() {
    return trackId;
  }
}
