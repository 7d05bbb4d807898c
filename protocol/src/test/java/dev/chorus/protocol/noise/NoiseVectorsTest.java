package dev.chorus.protocol.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every vector in every file of the directory named by {@code NOISE_VECTORS} (default: the
 * {@code shared/test-vectors/noise} directory found beside the repository), in the cacophony JSON
 * format. The vectors are read from there, never copied into the project.
 *
 * <p>Cacophony's convention: handshake messages alternate starting with the initiator, and the
 * messages after the handshake keep alternating (for one-way patterns all go initiator to
 * responder), i.e. message i is sent by the initiator iff the pattern is one-way or i is even.
 */
class NoiseVectorsTest {
  private static final String ENV = "NOISE_VECTORS";
  private static final String DEFAULT_RELATIVE = "shared/test-vectors/noise";
  private static final HexFormat HEX = HexFormat.of();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AtomicInteger ran = new AtomicInteger();
  private final AtomicInteger skipped = new AtomicInteger();
  private final Set<String> ranNames = ConcurrentHashMap.newKeySet();

  @TestFactory
  List<DynamicTest> cacophonyVectors() throws IOException {
    Path directory = vectorDirectory();
    List<Path> files;
    try (Stream<Path> listing = Files.list(directory)) {
      files = listing.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
    if (files.isEmpty()) {
      fail("no files in Noise vector directory " + directory + "; set " + ENV);
    }
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
          runVector(vector);
          ran.incrementAndGet();
          ranNames.add(name);
        }));
      }
    }
    tests.add(DynamicTest.dynamicTest("summary", this::summary));
    return tests;
  }

  private void summary() {
    System.out.println("NoiseVectorsTest: ran " + ran.get() + " vectors (" + skipped.get()
        + " skipped as unsupported)");
    assertTrue(ran.get() >= 2, "fewer than 2 Noise vectors ran: " + ran.get());
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

  private static void runVector(JsonNode vector) throws NoiseException {
    String name = vector.get("protocol_name").asText();
    NoiseProtocolName protocol = NoiseProtocolName.parse(name);
    NoiseHandshake initiator = side(vector, protocol, true);
    NoiseHandshake responder = side(vector, protocol, false);
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
        byte[] ciphertext = writer.encrypt(payload);
        assertEquals(HEX.formatHex(expected), HEX.formatHex(ciphertext), where + " ciphertext");
        assertArrayEquals(payload, reader.decrypt(ciphertext), where + " payload");
      }
      index++;
    }
    assertNotNull(initiatorTransport, name + ": the handshake did not complete");
  }

  private static NoiseHandshake side(JsonNode vector, NoiseProtocolName protocol, boolean initiator) {
    String prefix = initiator ? "init_" : "resp_";
    NoiseHandshake.Builder builder = NoiseHandshake.builder(protocol, initiator)
        .prologue(hex(vector, prefix + "prologue"));
    if (vector.has(prefix + "static")) {
      builder.localStatic(NoiseKeyPair.fromPrivateKey(protocol.dh(), hex(vector, prefix + "static")));
    }
    if (vector.has(prefix + "ephemeral")) {
      builder.localEphemeral(
          NoiseKeyPair.fromPrivateKey(protocol.dh(), hex(vector, prefix + "ephemeral")));
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

  /**
   * {@code $NOISE_VECTORS}, else the first {@code shared/test-vectors/noise} found in the working
   * directory or one of its parents (the module runs tests from {@code <x>/main/protocol}, and
   * the shared material lives in {@code <x>/shared}).
   */
  static Path vectorDirectory() {
    String configured = System.getenv(ENV);
    if (configured != null && !configured.isBlank()) {
      Path path = Paths.get(configured);
      if (!Files.isDirectory(path)) {
        fail(ENV + "=" + configured + " is not a directory; point it at the Noise test vectors");
      }
      return path;
    }
    Path start = Paths.get("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(DEFAULT_RELATIVE);
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return fail("Noise test vectors not found: no " + DEFAULT_RELATIVE + " in " + start
        + " or any parent directory. Set the environment variable " + ENV
        + " to the directory holding the cacophony vector files (e.g. ../shared/test-vectors/noise).");
  }
}
