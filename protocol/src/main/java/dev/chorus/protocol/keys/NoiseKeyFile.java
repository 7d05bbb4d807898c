package dev.chorus.protocol.keys;

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
 * The static Noise key of a tracker or a node on disk: one line {@code
 * chorus-x25519-sec:<64 hex digits>}, readable by its owner only. Created on first start, so the
 * identity survives restarts. (A publisher's Ed25519 key has a file format of its own.)
 */
public final class NoiseKeyFile {
  /** What the line starts with. */
  public static final String PREFIX = "chorus-x25519-sec:";

  private NoiseKeyFile() {}

  /**
   * Reads the key at {@code path}, creating it first (owner-only, parent directories too) if it
   * does not exist.
   */
  public static NoiseKeyPair loadOrCreate(Path path, SecureRandom random) throws IOException {
    if (!Files.exists(path)) {
      NoiseKeyPair created = NoiseKeyPair.generateX25519(random);
      write(path, created);
      return created;
    }
    return read(path);
  }

  /**
   * Reads the key at {@code path}.
   *
   * @throws IOException if it cannot be read or is not a key file (the message says what one holds)
   */
  public static NoiseKeyPair read(Path path) throws IOException {
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

  private static void write(Path path, NoiseKeyPair key) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    String text = PREFIX + HexFormat.of().formatHex(key.privateKey()) + "\n";
    try {
      Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(path);
    } catch (FileAlreadyExistsException e) {
      throw new IOException(path + " appeared while creating it; start again", e);
    }
    Files.writeString(path, text, StandardCharsets.US_ASCII);
  }
}
