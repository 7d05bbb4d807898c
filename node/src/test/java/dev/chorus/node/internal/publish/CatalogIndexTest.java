package dev.chorus.node.internal.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogIndexTest {
  @TempDir Path root;

  private static CatalogEntry entry(String id, String title) {
    return new CatalogEntry(id, title, null, "Album", 1000, "audio/mpeg", 128_000, 16_000,
        "audio/" + id + ".mp3", "chorus-ed25519-pub:00", "f.mp3");
  }

  @Test
  void sortedByTrackIdMergedAndRoundTripped() throws IOException {
    assertEquals(List.of(), CatalogIndex.read(root).entries());
    CatalogIndex index = CatalogIndex.empty();
    index.put(entry("bb", "B"));
    index.put(entry("aa", "A"));
    index.write(root);
    CatalogIndex again = CatalogIndex.read(root);
    again.put(entry("bb", "B2"));
    again.put(entry("cc", null));
    assertEquals(List.of(entry("aa", "A"), entry("bb", "B2"), entry("cc", null)), again.entries());
    again.write(root);
    byte[] bytes = Files.readAllBytes(root.resolve("index.json"));
    assertArrayEquals(bytes, CatalogIndex.read(root).toJson());
    String text = new String(bytes, StandardCharsets.UTF_8);
    assertTrue(text.startsWith("{\n  \"version\" : 1,\n  \"tracks\" : [ {\n    \"trackId\" : \"aa\","), text);
    assertTrue(!text.contains("\"artist\""), "absent tags are left out: " + text);
  }

  @Test
  void unknownFieldsAreIgnored() throws IOException {
    Files.writeString(root.resolve("index.json"),
        "{\"version\":1,\"future\":true,\"tracks\":[{\"trackId\":\"aa\",\"mimeType\":\"audio/flac\","
            + "\"originKey\":\"k\",\"durationMillis\":5,\"extra\":[1]}]}");
    assertEquals("audio/flac", CatalogIndex.read(root).entries().get(0).mimeType());
  }

  @Test
  void aFileThatIsNotAnIndexIsAClearError() throws IOException {
    for (String bad : new String[] {"not json", "[]", "{\"version\":2,\"tracks\":[]}", "{\"tracks\":[{}]}"}) {
      Files.writeString(root.resolve("index.json"), bad);
      IOException e = assertThrows(IOException.class, () -> CatalogIndex.read(root), bad);
      assertTrue(e.getMessage().contains("index.json"), e.getMessage());
    }
  }
}
