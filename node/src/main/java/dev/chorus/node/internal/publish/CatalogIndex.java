package dev.chorus.node.internal.publish;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A catalog's {@code index.json}: {@code {"version": 1, "tracks": [entry, ...]}}, one {@link
 * CatalogEntry} per track id, sorted by track id, so that the same catalog is always the same
 * bytes. Unknown fields are ignored when reading (newer publishers may add some).
 */
public final class CatalogIndex {
  /** The file name, directly under the catalog root. */
  public static final String FILE_NAME = "index.json";
  static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Map<String, CatalogEntry> entries = new TreeMap<>();

  private CatalogIndex() {}

  /** An empty index. */
  public static CatalogIndex empty() {
    return new CatalogIndex();
  }

  /**
   * The index in {@code catalogRoot/index.json}, or an empty one if there is none.
   *
   * @throws IOException if it cannot be read or is not a Chorus catalog index
   */
  public static CatalogIndex read(Path catalogRoot) throws IOException {
    Path file = catalogRoot.resolve(FILE_NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return empty();
    }
    return parse(bytes, file);
  }

  static CatalogIndex parse(byte[] bytes, Path file) throws IOException {
    return parse(bytes, file.toString());
  }

  /**
   * The index in {@code bytes}, read from {@code source} (named in messages).
   *
   * @throws IOException if it is not a Chorus catalog index
   */
  static CatalogIndex parse(byte[] bytes, String file) throws IOException {
    Document doc;
    try {
      doc = JSON.readValue(bytes, Document.class);
    } catch (JsonProcessingException e) {
      throw new IOException(file + " is not a Chorus catalog index (" + e.getOriginalMessage()
          + "); move it away to start a new catalog");
    }
    if (doc == null || doc.version != VERSION || doc.tracks == null) {
      throw new IOException(file + " is not a version " + VERSION
          + " Chorus catalog index; move it away to start a new catalog");
    }
    CatalogIndex index = new CatalogIndex();
    for (CatalogEntry e : doc.tracks) {
      if (e == null) {
        throw new IOException(file + " has a null track entry");
      }
      index.put(e);
    }
    return index;
  }

  /** Adds {@code entry}, replacing the entry of the same track id. */
  public void put(CatalogEntry entry) {
    entries.put(entry.trackId(), entry);
  }

  /** The entries, sorted by track id. */
  public List<CatalogEntry> entries() {
    return List.copyOf(entries.values());
  }

  /** The JSON form, UTF-8, ending with a newline. */
  public byte[] toJson() {
    try {
      String text = JSON.writeValueAsString(new Document(VERSION, new ArrayList<>(entries.values())));
      return (text + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the catalog index", e);
    }
  }

  /** Writes {@code catalogRoot/index.json} (atomically: readers see the old or the new index). */
  public void write(Path catalogRoot) throws IOException {
    CatalogFiles.writeAtomically(catalogRoot.resolve(FILE_NAME), toJson());
  }

  private static final class Document {
    @JsonProperty("version")
    final int version;
    @JsonProperty("tracks")
    final Collection<CatalogEntry> tracks;

    @JsonCreator
    Document(@JsonProperty("version") int version, @JsonProperty("tracks") Collection<CatalogEntry> tracks) {
      this.version = version;
      this.tracks = tracks;
    }
  }
}
