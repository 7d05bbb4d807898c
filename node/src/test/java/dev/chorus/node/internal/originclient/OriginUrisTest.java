package dev.chorus.node.internal.originclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.protocol.manifest.TrackId;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OriginUrisTest {
  static final URI BASE = OriginUris.parseBase("k", "https://cdn.example.com/catalog");
  static final URI SIGNED = OriginUris.parseBase("k", "https://cdn.example.com/c/?token=a%2Fb&exp=9");

  @Test
  void manifestKeyIsTheHexTrackId() {
    TrackId id = TrackId.fromHex("ab".repeat(32));
    assertEquals("manifests/" + "ab".repeat(32), OriginUris.manifestKey(id));
    assertEquals(URI.create("https://cdn.example.com/catalog/manifests/" + "ab".repeat(32)),
        OriginUris.objectUri(BASE, OriginUris.manifestKey(id)));
  }

  @Test
  void percentEncodesEverySegmentButUnreservedCharacters() {
    assertEquals(URI.create("https://cdn.example.com/catalog/audio/ab/abcd-1_2.~x.ogg"),
        OriginUris.objectUri(BASE, "audio/ab/abcd-1_2.~x.ogg"));
    assertEquals("/catalog/a%20b/%C3%A9t%C3%A9%2B%3F%23%25%3B%3D%26.ogg",
        OriginUris.objectUri(BASE, "a b/été+?#%;=&.ogg").getRawPath());
    assertEquals("/catalog/..a/a..", OriginUris.objectUri(BASE, "..a/a..").getRawPath());
  }

  @Test
  void appendsTheBaseQueryVerbatim() {
    assertEquals(URI.create("https://cdn.example.com/c/audio/x.ogg?token=a%2Fb&exp=9"),
        OriginUris.objectUri(SIGNED, "audio/x.ogg"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", ".", ".."})
  void refusesKeysThatCouldLeaveTheBase(String key) {
    assertThrows(IllegalArgumentException.class, () -> OriginUris.objectUri(BASE, key));
  }

  @Test
  void redactionDropsTheQuery() {
    assertEquals(URI.create("https://cdn.example.com/c/"), OriginUris.redact(SIGNED));
    assertEquals(BASE, OriginUris.redact(BASE));
  }
}
