package dev.chorus.protocol.noise;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.util.function.IntSupplier;

/** Finding the system's libsodium for the direct-mapped bindings of this package. */
final class SodiumLibrary {
  /** The names JNA tries in turn: the development symlink, then Debian's runtime soname. */
  static final String[] NAMES = {"sodium", "libsodium.so.23"};

  private SodiumLibrary() {}

  /**
   * Registers {@code binding}'s native methods with the first of {@code names} that loads and
   * calls its {@code sodium_init}; null, or why none could be used and what to install.
   */
  static String register(Class<?> binding, IntSupplier sodiumInit, String... names) {
    StringBuilder failures = new StringBuilder();
    for (String name : names) {
      try {
        NativeLibrary library = NativeLibrary.getInstance(name);
        Native.register(binding, library);
        if (sodiumInit.getAsInt() < 0) {
          return "libsodium's sodium_init() failed (" + library.getFile() + ")";
        }
        return null;
      } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
        failures.append("; ").append(name).append(": ").append(e.getMessage());
      }
    }
    return "libsodium not found (install the Debian package libsodium23, or your platform's "
        + "libsodium)" + failures;
  }
}
