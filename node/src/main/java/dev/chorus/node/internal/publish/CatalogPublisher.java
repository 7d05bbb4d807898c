package dev.chorus.node.internal.publish;

import dev.chorus.node.internal.s3.S3Access;
import dev.chorus.node.internal.s3.S3AccessException;
import dev.chorus.node.internal.s3.S3Location;
import dev.chorus.protocol.manifest.ManifestLimits;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes audio files into a catalog laid out as {@code dev.chorus.node.internal.originclient.OriginClient}
 * reads it: a local directory, ready to serve with nginx or {@code chorus origin}, or a bucket
 * ({@code s3://bucket/prefix}):
 *
 * <pre>
 * &lt;root&gt;/audio/&lt;h0h1&gt;/&lt;sha256 of the file&gt;.&lt;ext&gt;   the audio, byte for byte
 * &lt;root&gt;/manifests/&lt;trackIdHex&gt;                  its signed manifest (TrackManifest.encoded())
 * &lt;root&gt;/index.json                                 title, artist, album, duration... per track id
 * </pre>
 *
 * <p>The track id hashes the manifest, which names the audio object, so the audio object is named
 * by the SHA-256 of its content (its first two hex digits as a directory keep directories small).
 * Everything is deterministic: publishing the same file with the same key gives the same object,
 * the same manifest bytes (Ed25519 signatures are deterministic) and the same track id, and
 * re-publishing into a catalog replaces the same files with the same bytes (a bucket skips them:
 * see {@link S3CatalogBucket}). The index is merged: entries of other track ids already in it are
 * kept.
 *
 * <p>Inputs are files (always tried) and folders (walked recursively, in name order; hidden files,
 * files without an audio extension and the catalog itself are skipped). A file that cannot be
 * probed, read or published is reported in {@link PublishReport#failed()} and the others are
 * published. An error writing the catalog stops the run with an {@link IOException} (after writing
 * the index of what was published).
 *
 * <p>Order makes the catalog consistent for readers at every moment: a file's audio object is
 * stored before its manifest, and the index (naming the manifests) last. The audio is first copied
 * to a staging file and the manifest made from that copy, so the two always match. The
 * destination ({@link CatalogDestination}: {@link LocalCatalogDirectory} or {@link
 * S3CatalogBucket}) only stores objects. Not thread-safe; one publisher per catalog at a time.
 */
public final class CatalogPublisher implements AutoCloseable {
  /** Extensions of the files taken from input folders (a named file is always tried). */
  public static final Set<String> AUDIO_EXTENSIONS = Set.of("opus", "ogg", "oga", "mp3", "flac",
      "m4a", "aac", "wav", "aif", "aiff", "wma", "ape", "wv", "mka", "webm");
  static final String AUDIO_DIR = "audio";
  static final String MANIFEST_DIR = "manifests";
  private static final Logger LOG = LoggerFactory.getLogger(CatalogPublisher.class);
  private static final int DEFAULT_CHUNK_BYTES = TrackManifest.DEFAULT_CHUNK_BYTES;

  /** The local catalog directory, or null for a bucket (its folder is then not skipped). */
  private final Path root;
  private final CatalogDestination destination;
  private final PublisherKeyPair key;
  private final AudioProbe probe;
  private int written;
  private int unchanged;

  private CatalogPublisher(Path root, CatalogDestination destination, PublisherKeyPair key, AudioProbe probe) {
    this.root = root;
    this.destination = destination;
    this.key = Objects.requireNonNull(key, "key");
    this.probe = Objects.requireNonNull(probe, "probe");
  }

  /** A publisher into the catalog at {@code root} (created if missing), signing with {@code key}. */
  public static CatalogPublisher create(Path root, PublisherKeyPair key, AudioProbe probe) {
    Path dir = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    return new CatalogPublisher(dir, new LocalCatalogDirectory(dir), key, probe);
  }

  /**
   * A publisher into the catalog at {@code location} in a bucket, reached with {@code access}.
   *
   * @throws S3AccessException if there are no credentials or no region
   */
  public static CatalogPublisher toBucket(S3Location location, S3Access access, PublisherKeyPair key,
      AudioProbe probe) throws S3AccessException {
    return new CatalogPublisher(null, S3CatalogBucket.open(location, access), key, probe);
  }

  /** Tests: into a bucket, with multipart uploads over {@code multipartThreshold} bytes. */
  static CatalogPublisher toBucket(S3Location location, S3Access access, PublisherKeyPair key,
      AudioProbe probe, long multipartThreshold, int partBytes) throws S3AccessException {
    return new CatalogPublisher(null, S3CatalogBucket.open(location, access, multipartThreshold, partBytes),
        key, probe);
  }

  /** Where the catalog is: a directory, or {@code s3://bucket/prefix/}. */
  public String destination() {
    return destination.toString();
  }

  /** Releases the S3 client and the staging files of a bucket. */
  @Override
  public void close() throws IOException {
    destination.close();
  }

  /**
   * Publishes every audio file named by {@code inputs} (files or folders) and writes the index.
   *
   * @throws IOException if the catalog cannot be written (the files published until then are in
   *     it and in its index)
   */
  public PublishReport publish(List<Path> inputs) throws IOException {
    written = 0;
    unchanged = 0;
    if (root != null) {
      Files.createDirectories(root);
    }
    byte[] indexBytes = destination.readIndex();
    CatalogIndex index = indexBytes == null ? CatalogIndex.empty()
        : CatalogIndex.parse(indexBytes, destination + (root != null ? "/" : "") + CatalogIndex.FILE_NAME);
    List<PublishReport.Published> published = new ArrayList<>();
    List<PublishReport.Failure> failed = new ArrayList<>();
    int[] skipped = {0};
    List<Candidate> candidates = new ArrayList<>();
    for (Path input : inputs) {
      expand(input, candidates, skipped);
    }
    try {
      for (Candidate c : candidates) {
        if (c.failure() != null) {
          failed.add(new PublishReport.Failure(c.file(), c.failure()));
          continue;
        }
        try {
          PublishReport.Published p = publishFile(c.file());
          index.put(p.entry());
          published.add(p);
          LOG.debug("published {} as {}", c.file(), p.entry().trackId());
        } catch (UnpublishableException e) {
          LOG.debug("not published: {}: {}", c.file(), e.getMessage());
          failed.add(new PublishReport.Failure(c.file(), e.getMessage()));
        }
      }
    } finally {
      if (!published.isEmpty()) {
        byte[] json = index.toJson();
        if (indexBytes == null || !Arrays.equals(indexBytes, json)) {
          count(destination.putBytes(CatalogIndex.FILE_NAME, json, CatalogDestination.ObjectType.index()));
        } else {
          unchanged++;
        }
      }
    }
    return new PublishReport(published, failed, skipped[0], written, unchanged);
  }

  /** A file to publish, or an input that already failed (in input order). */
  private record Candidate(Path file, String failure) {}

  private void expand(Path input, List<Candidate> files, int[] skipped) {
    if (Files.isDirectory(input)) {
      if (root != null && input.toAbsolutePath().normalize().startsWith(root)) {
        return; // the catalog itself, e.g. --in music --out music/catalog
      }
      List<Path> children = new ArrayList<>();
      try (DirectoryStream<Path> dir = Files.newDirectoryStream(input)) {
        dir.forEach(children::add);
      } catch (IOException e) {
        files.add(new Candidate(input, "cannot list the folder: " + e.getMessage()));
        return;
      }
      children.sort(null);
      for (Path child : children) {
        String name = child.getFileName().toString();
        if (name.startsWith(".")) {
          skipped[0]++;
        } else if (Files.isDirectory(child)) {
          expand(child, files, skipped);
        } else if (Files.isRegularFile(child) && AUDIO_EXTENSIONS.contains(extension(name))) {
          files.add(new Candidate(child, null));
        } else {
          skipped[0]++;
        }
      }
    } else if (Files.exists(input)) {
      files.add(new Candidate(input, null));
    } else {
      files.add(new Candidate(input, "no such file or folder"));
    }
  }

  private PublishReport.Published publishFile(Path file) throws UnpublishableException, IOException {
    AudioInfo info;
    try {
      info = probe.probe(file);
    } catch (AudioProbeException e) {
      throw new UnpublishableException(e.getMessage());
    }
    Path tmp = CatalogFiles.newTempFile(destination.stagingDirectory());
    try {
      String sha256 = copyAndHash(file, tmp);
      String originKey = AUDIO_DIR + "/" + sha256.substring(0, 2) + "/" + sha256 + "." + info.extension();
      long size = Files.size(tmp);
      TrackManifest manifest;
      try (InputStream in = Files.newInputStream(tmp)) {
        manifest = TrackManifest.builder()
            .mimeType(info.mimeType())
            .originKey(originKey)
            .durationMillis(info.durationMillis())
            .bitsPerSecond(info.bitsPerSecond())
            .chunkSizeBytes(chunkBytesFor(size))
            .publish(in, key);
      } catch (IllegalArgumentException e) {
        throw new UnpublishableException("cannot make its manifest: " + e.getMessage());
      }
      count(destination.putFile(originKey, tmp, sha256, CatalogDestination.ObjectType.audio(info.mimeType())));
      String idHex = manifest.trackId().toHex();
      count(destination.putBytes(MANIFEST_DIR + "/" + idHex, manifest.encoded(),
          CatalogDestination.ObjectType.manifest()));
      CatalogEntry entry = new CatalogEntry(idHex, info.title(), info.artist(), info.album(),
          manifest.durationMillis(), manifest.mimeType(), manifest.bitsPerSecond(),
          manifest.sizeBytes(), originKey, key.publicKey().toText(), file.getFileName().toString());
      return new PublishReport.Published(file, manifest, entry);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void count(boolean wrote) {
    if (wrote) {
      written++;
    } else {
      unchanged++;
    }
  }

  /** Copies {@code source} to {@code target}, returning the content's SHA-256 in hex. */
  private static String copyAndHash(Path source, Path target) throws UnpublishableException, IOException {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    byte[] buf = new byte[64 * 1024];
    InputStream in;
    try {
      in = Files.newInputStream(source);
    } catch (IOException e) {
      throw new UnpublishableException("cannot open it: " + e.getMessage());
    }
    try (in; OutputStream out = Files.newOutputStream(target)) {
      while (true) {
        int n;
        try {
          n = in.read(buf);
        } catch (IOException e) {
          throw new UnpublishableException("cannot read it: " + e.getMessage());
        }
        if (n < 0) {
          break;
        }
        sha256.update(buf, 0, n);
        out.write(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  /** 16 KiB, doubled until the file fits the default manifest limits (files over 2 GiB). */
  static int chunkBytesFor(long sizeBytes) {
    ManifestLimits limits = ManifestLimits.defaults();
    int chunk = DEFAULT_CHUNK_BYTES;
    while (chunk < limits.maxChunkBytes() && (sizeBytes + chunk - 1) / chunk > limits.maxChunkCount()) {
      chunk *= 2;
    }
    return chunk;
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** This file cannot be published (the others can). */
  private static final class UnpublishableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnpublishableException(String message) {
      super(message);
    }
  }
}
