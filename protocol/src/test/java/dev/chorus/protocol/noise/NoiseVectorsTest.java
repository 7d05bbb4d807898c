package dev.chorus.protocol.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every vector in the cacophony JSON format, once with each X25519 implementation (Bouncy
 * Castle, libsodium), from the project's own copy in the test
 * resources ({@code noise/}, provenance and licence in {@code noise/PROVENANCE.md}), plus every
 * file of the directory named by {@code NOISE_VECTORS} when that is set. The bundled file's
 * SHA-256 is checked first, so the build never tests against vectors that drifted from upstream.
 *
 * <p>Cacophony's convention: handshake messages alternate starting with the initiator, and the
 * messages after the handshake keep alternating (for one-way patterns all go initiator to
 * responder), i.e. message i is sent by the initiator iff the pattern is one-way or i is even.
 */
class NoiseVectorsTest {
  private static final String ENV = "NOISE_VECTORS";
  private static final int BUNDLED_VECTORS = 944;
  private static final String BUNDLED_DIRECTORY = "/noise/";
  /** SHA-256 of each bundled vector file, as recorded in {@code noise/PROVENANCE.md}. */
  private static final Map<String, String> BUNDLED_SHA256 = Map.of(
      "cacophony.txt", "3bde7c09a6f349ee11c825c50fcc02649f8f02a47c857a459206b357f9386cae");
  private static final HexFormat HEX = HexFormat.of();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AtomicInteger ran = new AtomicInteger();
  private final AtomicInteger skipped = new AtomicInteger();
  private final Set<String> ranNames = ConcurrentHashMap.newKeySet();

  /** The vectors on Bouncy Castle's X25519, the fallback every platform has. */
  @TestFactory
  List<DynamicTest> cacophonyVectorsBouncyCastle() throws IOException {
    return cacophonyVectors(BouncyCastleDh.X25519_BC);
  }

  /** The vectors on libsodium's X25519, the default where the system has libsodium. */
  @TestFactory
  List<DynamicTest> cacophonyVectorsLibsodium() throws IOException {
    return cacophonyVectors(Libsodium.require());
  }

  /**
   * The vectors with transport messages through libsodium's AES-GCM on native memory where the
   * cipher is AESGCM ({@link SodiumAesGcm}, the default where the system has libsodium).
   */
  @TestFactory
  List<DynamicTest> cacophonyVectorsNativeTransport() throws IOException {
    LibsodiumAesGcm.require();
    return cacophonyVectors(Libsodium.require(), true);
  }

  private List<DynamicTest> cacophonyVectors(DhFunction x25519) throws IOException {
    return cacophonyVectors(x25519, false);
  }

  private List<DynamicTest> cacophonyVectors(DhFunction x25519, boolean nativeTransport) throws IOException {
    List<Path> files = new ArrayList<>(bundledFiles());
    files.addAll(extraFiles());
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : files) {
      JsonNode vectors = JSON.readTree(file.toFile()).path("vectors");
      assertTrue(vectors.isArray(), file + " has no \"vectors\" array");
      for (JsonNode vector : vectors) {
        String name = vector.path("protocol_name").asText();
        if (!supported(name)) {
          skipped.incrementAndGet();
          continue;
        }
        tests.add(DynamicTest.dynamicTest(name, () -> {
          runVector(vector, x25519, nativeTransport);
          ran.incrementAndGet();
          ranNames.add(name);
        }));
      }
    }
    tests.add(DynamicTest.dynamicTest("summary (X25519 in " + x25519.implementation()
        + (nativeTransport ? ", AESGCM transport on native memory" : "") + ")",
        this::summary));
    return tests;
  }

  private void summary() {
    System.out.println("NoiseVectorsTest: ran " + ran.get() + " vectors (" + skipped.get()
        + " skipped as unsupported)");
    // Every vector of the bundled cacophony file is supported; fewer means a file went missing.
    assertTrue(ran.get() >= BUNDLED_VECTORS, "only " + ran.get() + " Noise vectors ran; the "
        + "bundled files alone hold " + BUNDLED_VECTORS);
    assertTrue(ranNames.contains("Noise_XX_25519_AESGCM_SHA256"),
        "Noise_XX_25519_AESGCM_SHA256 was not among the vectors run");
    assertTrue(ranNames.contains("Noise_XX_25519_ChaChaPoly_SHA256"),
        "Noise_XX_25519_ChaChaPoly_SHA256 was not among the vectors run");
  }

  private static boolean supported(String name) {
    try {
      NoiseProtocolName.parse(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void runVector(JsonNode vector, DhFunction x25519, boolean nativeTransport) throws NoiseException {
    String name = vector.get("protocol_name").asText();
    NoiseProtocolName protocol = NoiseProtocolName.parse(name);
    DhFunction dh = protocol.dh() == NoiseDh.X25519 ? x25519 : protocol.dh().function();
    NoiseHandshake initiator = side(vector, protocol, dh, true);
    NoiseHandshake responder = side(vector, protocol, dh, false);
    NoiseTransport initiatorTransport = null;
    NoiseTransport responderTransport = null;
    int index = 0;
    for (JsonNode message : vector.get("messages")) {
      byte[] payload = hex(message, "payload");
      byte[] expected = hex(message, "ciphertext");
      boolean initiatorSends = protocol.isOneWay() || index % 2 == 0;
      String where = name + " message " + index;
      if (initiatorTransport == null) {
        NoiseHandshake writer = initiatorSends ? initiator : responder;
        NoiseHandshake reader = initiatorSends ? responder : initiator;
        assertTrue(writer.isMyTurnToWrite(), where + ": writer's turn");
        byte[] ciphertext = writer.writeMessage(payload);
        assertEquals(HEX.formatHex(expected), HEX.formatHex(ciphertext), where + " ciphertext");
        assertArrayEquals(payload, reader.readMessage(ciphertext), where + " payload");
        if (initiator.isComplete() && responder.isComplete()) {
          checkHandshakeHash(vector, initiator.handshakeHash(), responder.handshakeHash());
          initiatorTransport = initiator.split();
          responderTransport = responder.split();
        }
      } else {
        NoiseTransport writer = initiatorSends ? initiatorTransport : responderTransport;
        NoiseTransport reader = initiatorSends ? responderTransport : initiatorTransport;
        boolean viaNative = nativeTransport && protocol.cipher().equals("AESGCM");
        assertEquals(viaNative, nativeTransport && writer.usesNativeMemory() && reader.usesNativeMemory(),
            where + ": native memory used exactly for AESGCM");
        byte[] ciphertext = viaNative ? NativeMemory.encrypt(writer, payload) : writer.encrypt(payload);
        assertEquals(HEX.formatHex(expected), HEX.formatHex(ciphertext), where + " ciphertext");
        assertArrayEquals(payload, viaNative ? NativeMemory.decrypt(reader, ciphertext) : reader.decrypt(ciphertext),
            where + " payload");
      }
      index++;
    }
    assertNotNull(initiatorTransport, name + ": the handshake did not complete");
  }

  private static NoiseHandshake side(JsonNode vector, NoiseProtocolName protocol, DhFunction dh,
      boolean initiator) {
    String prefix = initiator ? "init_" : "resp_";
    NoiseHandshake.Builder builder = NoiseHandshake.builder(protocol, initiator)
        .dhFunction(dh)
        .prologue(hex(vector, prefix + "prologue"));
    if (vector.has(prefix + "static")) {
      builder.localStatic(NoiseKeyPair.fromPrivateKey(dh, hex(vector, prefix + "static")));
    }
    if (vector.has(prefix + "ephemeral")) {
      builder.localEphemeral(NoiseKeyPair.fromPrivateKey(dh, hex(vector, prefix + "ephemeral")));
    }
    if (vector.has(prefix + "remote_static")) {
      builder.remoteStatic(hex(vector, prefix + "remote_static"));
    }
    List<byte[]> psks = new ArrayList<>();
    for (JsonNode psk : vector.path(prefix + "psks")) {
      psks.add(HEX.parseHex(psk.asText()));
    }
    if (vector.has(prefix + "psk")) {
      psks.add(hex(vector, prefix + "psk"));
    }
    return builder.psks(psks).build();
  }

  private static void checkHandshakeHash(JsonNode vector, byte[] initiatorHash, byte[] responderHash) {
    assertArrayEquals(initiatorHash, responderHash, "both sides' handshake hashes");
    if (vector.has("handshake_hash")) {
      assertEquals(vector.get("handshake_hash").asText(), HEX.formatHex(initiatorHash),
          "handshake hash");
    }
  }

  private static byte[] hex(JsonNode node, String field) {
    return node.has(field) ? HEX.parseHex(node.get(field).asText()) : new byte[0];
  }

  /** The bundled vector files, each checked against its recorded SHA-256. */
  static List<Path> bundledFiles() throws IOException {
    URL url = NoiseVectorsTest.class.getResource(BUNDLED_DIRECTORY);
    assertNotNull(url, "test resource directory " + BUNDLED_DIRECTORY + " is missing");
    Path directory;
    try {
      directory = Paths.get(url.toURI());
    } catch (URISyntaxException e) {
      throw new IOException("bad test resource URL " + url, e);
    }
    List<Path> files = new ArrayList<>();
    for (Map.Entry<String, String> entry : new TreeMap<>(BUNDLED_SHA256).entrySet()) {
      Path file = directory.resolve(entry.getKey());
      assertTrue(Files.isRegularFile(file), "bundled Noise vector file missing: " + file);
      assertEquals(entry.getValue(), sha256(file), file + " differs from the upstream copy "
          + "recorded in noise/PROVENANCE.md (edited, or line endings converted?)");
      files.add(file);
    }
    return files;
  }

  /** Extra vector files from {@code $NOISE_VECTORS}, if set; none otherwise. */
  static List<Path> extraFiles() throws IOException {
    String configured = System.getenv(ENV);
    if (configured == null || configured.isBlank()) {
      return List.of();
    }
    Path directory = Paths.get(configured);
    if (!Files.isDirectory(directory)) {
      fail(ENV + "=" + configured + " is not a directory; point it at a directory of extra Noise "
          + "vector files in the cacophony JSON format, or unset it");
    }
    try (Stream<Path> listing = Files.list(directory)) {
      List<Path> files = listing.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
      if (files.isEmpty()) {
        fail("no files in " + ENV + "=" + configured);
      }
      return files;
    }
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("the JDK has no SHA-256", e);
    }
  }
}
