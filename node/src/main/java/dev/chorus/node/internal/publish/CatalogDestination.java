package dev.chorus.node.internal.publish;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where {@link CatalogPublisher} writes a catalog: a local directory ({@link LocalCatalogDirectory})
 * or a bucket ({@link S3CatalogBucket}). The publisher decides what to write and in which order
 * (audio, then its manifest, then the index), so that a reader never finds a name whose object is
 * missing; a destination only stores objects, each whole or not at all.
 */
interface CatalogDestination extends Closeable {
  /** The catalog's {@code index.json}, or null if there is none yet. */
  byte[] readIndex() throws IOException;

  /**
   * A directory where the publisher copies an audio file before {@link #putFile} (for a local
   * catalog, inside it, so that the copy is renamed into place).
   */
  Path stagingDirectory() throws IOException;

  /**
   * Stores {@code staged} (a file in {@link #stagingDirectory()}, consumed: moved or left for the
   * caller to delete) as object {@code key} (relative to the catalog).
   *
   * @param sha256Hex the SHA-256 of the file's content, in hex
   * @return whether anything was written (false: the same content was already there)
   */
  boolean putFile(String key, Path staged, String sha256Hex, ObjectType type) throws IOException;

  /**
   * Stores {@code bytes} as object {@code key}.
   *
   * @return whether anything was written (false: the same content was already there)
   */
  boolean putBytes(String key, byte[] bytes, ObjectType type) throws IOException;

  /** How an object is served: its Content-Type and Cache-Control. */
  record ObjectType(String contentType, String cacheControl) {
    /** Audio objects and manifests are named by their content: cacheable for ever. */
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    /** The index changes with every publish: revalidated by every reader. */
    static final String REVALIDATE = "no-cache";

    static ObjectType audio(String mimeType) {
      return new ObjectType(mimeType, IMMUTABLE);
    }

    static ObjectType manifest() {
      return new ObjectType("application/octet-stream", IMMUTABLE);
    }

    static ObjectType index() {
      return new ObjectType("application/json", REVALIDATE);
    }
  }
}
