package dev.chorus.node.internal.publish;

import dev.chorus.protocol.manifest.TrackManifest;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link CatalogPublisher#publish} did.
 *
 * @param published the tracks written, in the order of the inputs
 * @param failed the files that could not be published, with the reason, in the order of the inputs
 * @param skippedInFolders files in input folders that were not tried: hidden files and files
 *     without an audio file extension
 * @param objectsWritten objects (audio, manifests, the index) written or uploaded
 * @param objectsUnchanged objects not uploaded because the same content was already in the bucket
 *     (always 0 for a local catalog, whose files are rewritten)
 */
public record PublishReport(List<Published> published, List<Failure> failed, int skippedInFolders,
    int objectsWritten, int objectsUnchanged) {
  public PublishReport {
    published = List.copyOf(published);
    failed = List.copyOf(failed);
  }

  /** A track written to the catalog from {@code source}. */
  public record Published(Path source, TrackManifest manifest, CatalogEntry entry) {}

  /** A file that was not published, and why (a message without the file name). */
  public record Failure(Path source, String reason) {}
}
