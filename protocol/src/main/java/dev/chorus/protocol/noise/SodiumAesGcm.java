package dev.chorus.protocol.noise;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AES-256-GCM of Noise transport messages in libsodium ({@code crypto_aead_aes256gcm_*_afternm},
 * AES-NI and PCLMUL), on native memory the caller owns. The JDK's cipher must be initialised
 * anew for every message and allocates about 1 KB each time (its GCM engine and GHASH table;
 * figures in protocol/docs/noise.md); here the key is expanded once into a native state per key,
 * and a message costs one native call and no Java allocation.
 *
 * <p>Chosen once per process: the system property {@value #PROPERTY} is {@code auto} (the
 * default: libsodium where it loads and the CPU has AES-NI, else the JDK), {@code libsodium}
 * (fails when it cannot be used) or {@code jdk}. The output is AES-GCM either way, byte for byte.
 */
final class SodiumAesGcm {
  static final String PROPERTY = "chorus.noise.aesgcm";
  private static final Logger LOG = LoggerFactory.getLogger(SodiumAesGcm.class);
  /** {@code crypto_aead_aes256gcm_state}: 512 bytes, 16-byte aligned (libsodium 1.0.18). */
  private static final int STATE_ALIGNMENT = 16;
  private static final int NONCE_BYTES = CipherFunction.NONCE_LENGTH;

  private static final String LOAD_FAILURE = bind(SodiumLibrary.NAMES);

  private SodiumAesGcm() {}

  /** Whether transport messages of AESGCM go through libsodium in this process. */
  static boolean selected() {
    return Selection.SELECTED;
  }

  /** Why libsodium's AES-GCM cannot be used here, or null when it can. */
  static String loadFailure() {
    return LOAD_FAILURE;
  }

  /** Resolved on first use, so that a ChaChaPoly-only process never loads native code. */
  private static final class Selection {
    static final boolean SELECTED = select(System.getProperty(PROPERTY, "auto"), LOAD_FAILURE);
  }

  /** Whether a {@value #PROPERTY} value selects libsodium, given why it cannot be used (null: it can). */
  static boolean select(String choice, String failure) {
    switch (choice.trim().toLowerCase(Locale.ROOT)) {
      case "libsodium":
        if (failure != null) {
          throw new IllegalStateException("-D" + PROPERTY + "=libsodium, but " + failure
              + "; or use -D" + PROPERTY + "=auto");
        }
        return true;
      case "jdk":
        return false;
      case "auto":
        if (failure != null) {
          LOG.info("AES-GCM transport messages in the JDK (about 1 KB allocated per message): {}", failure);
        }
        return failure == null;
      default:
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + choice + " is not one of auto, libsodium, jdk");
    }
  }

  /** Binds {@link Binding} to the first of {@code names} that loads; null, or why none can be used. */
  static String bind(String... names) {
    String failure = SodiumLibrary.register(Binding.class, Binding::sodium_init, names);
    if (failure == null && Binding.crypto_aead_aes256gcm_is_available() != 1) {
      return "this CPU lacks the AES-NI and PCLMUL instructions libsodium's AES-GCM needs";
    }
    return failure;
  }

  /**
   * The C functions, bound by {@link Native#register} (direct mapping). Pointers are passed as
   * addresses ({@code long}): JNA's conversion of a ByteBuffer argument cost about as much again
   * as the call itself.
   */
  @SuppressWarnings("checkstyle:MethodName")
  static final class Binding {
    private Binding() {}

    static native int sodium_init();

    static native int crypto_aead_aes256gcm_is_available();

    static native long crypto_aead_aes256gcm_statebytes();

    static native int crypto_aead_aes256gcm_beforenm(long state, byte[] key);

    static native int crypto_aead_aes256gcm_encrypt_afternm(long c, long clenP, long m, long mlen,
        long ad, long adlen, long nsec, long npub, long state);

    static native int crypto_aead_aes256gcm_decrypt_afternm(long m, long mlenP, long nsec, long c,
        long clen, long ad, long adlen, long npub, long state);
  }

  /**
   * One key's expanded state and a nonce slot, in native memory held by a direct buffer (freed
   * with it by the collector). Not thread-safe.
   */
  static final class Key {
    private final ByteBuffer memory;
    private final int stateOffset;
    private final long stateAddress;
    private final int nonceOffset;
    private final long nonceAddress;

    /** Expands {@code key} (32 bytes). */
    Key(byte[] key) {
      if (key.length != CipherState.KEY_LENGTH) {
        // Native code reads 32 bytes whatever the array's length: never hand it a shorter one.
        throw new IllegalArgumentException("AES-256 key must be 32 bytes, was " + key.length);
      }
      int stateBytes = Math.toIntExact(Binding.crypto_aead_aes256gcm_statebytes());
      memory = ByteBuffer.allocateDirect(stateBytes + STATE_ALIGNMENT + NONCE_BYTES).order(ByteOrder.BIG_ENDIAN);
      long base = Pointer.nativeValue(Native.getDirectBufferPointer(memory));
      stateOffset = (int) ((STATE_ALIGNMENT - (base & (STATE_ALIGNMENT - 1))) & (STATE_ALIGNMENT - 1));
      stateAddress = base + stateOffset;
      nonceOffset = stateOffset + stateBytes;
      nonceAddress = base + nonceOffset;
      if (Binding.crypto_aead_aes256gcm_beforenm(stateAddress, key) != 0) {
        throw new IllegalStateException("libsodium refused to expand an AES-256-GCM key");
      }
    }

    /** Encrypts {@code length} bytes at {@code in} to {@code length + 16} at {@code out} (may equal {@code in}). */
    void encrypt(long nonce, long in, int length, long out) {
      setNonce(nonce);
      if (Binding.crypto_aead_aes256gcm_encrypt_afternm(out, 0, in, length, 0, 0, 0, nonceAddress, stateAddress) != 0) {
        throw new IllegalStateException("libsodium's AES-256-GCM encryption failed");
      }
    }

    /**
     * Decrypts {@code length} bytes (ciphertext and tag) at {@code in} to {@code length - 16} at
     * {@code out}, which must not overlap {@code in}; false on a bad tag (then {@code out} holds zeros).
     */
    boolean decrypt(long nonce, long in, int length, long out) {
      setNonce(nonce);
      return Binding.crypto_aead_aes256gcm_decrypt_afternm(out, 0, 0, in, length, 0, 0, nonceAddress, stateAddress) == 0;
    }

    /** Wipes the expanded key. */
    void destroy() {
      for (int i = 0; i < memory.capacity(); i++) {
        memory.put(i, (byte) 0);
      }
    }

    /** Noise's AESGCM nonce: 32 zero bits, then the counter big-endian. */
    private void setNonce(long n) {
      memory.putInt(nonceOffset, 0);
      memory.putLong(nonceOffset + 4, n);
    }
  }
}
