package dev.chorus.node.cli;

import dev.chorus.protocol.noise.NoiseKeyPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A node's static Noise key on disk: one line {@code chorus-x25519-sec:<64 hex digits>}, readable
 * by its owner only, created on first start so the node keeps its identity across restarts.
 * Same format as the tracker's key file.
 */
final class NodeKeyFiles {
  static final String PREFIX = "chorus-x25519-sec:";

  private NodeKeyFiles() {}

  static NoiseKeyPair loadOrCreate(Path path, SecureRandom random) throws IOException {
    if (!Files.exists(path)) {
      NoiseKeyPair created = NoiseKeyPair.generateX25519(random);
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(path);
      } catch (FileAlreadyExistsException e) {
        throw new IOException(path + " appeared while creating it; start again", e);
      }
      Files.writeString(path, PREFIX + HexFormat.of().formatHex(created.privateKey()) + "\n", StandardCharsets.US_ASCII);
      return created;
    }
    String text = Files.readString(path, StandardCharsets.US_ASCII).trim();
    if (!text.startsWith(PREFIX) || text.length() != PREFIX.length() + 64) {
      throw new IOException(path + " is not a Chorus key file: expected one line '" + PREFIX
          + "' followed by 64 hex digits");
    }
    try {
      return NoiseKeyPair.fromPrivateKeyX25519(HexFormat.of().parseHex(text.substring(PREFIX.length())));
    } catch (IllegalArgumentException e) {
      throw new IOException(path + " holds an invalid key: " + e.getMessage(), e);
    }
  }
}
