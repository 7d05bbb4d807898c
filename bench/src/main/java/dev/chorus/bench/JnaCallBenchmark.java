package dev.chorus.bench;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What a call into libsodium through JNA's direct mapping costs when the C function does almost
 * nothing: {@code sodium_memzero} of a 32-byte Java array, the shape of the X25519 calls (32-byte
 * arrays in and out). The protocol's binding ({@code SodiumX25519}) makes one such call per X25519
 * operation, with two or three arrays; the rest of {@link X25519Benchmark}'s time is the curve
 * arithmetic.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JnaCallBenchmark {
  static {
    NativeLibrary library;
    try {
      library = NativeLibrary.getInstance("sodium");
    } catch (UnsatisfiedLinkError e) {
      library = NativeLibrary.getInstance("libsodium.so.23");
    }
    Native.register(JnaCallBenchmark.class, library);
  }

  private static native void sodium_memzero(byte[] buffer, long length);

  private final byte[] buffer = new byte[32];

  @Benchmark
  public byte[] memzero32() {
    sodium_memzero(buffer, buffer.length);
    return buffer;
  }
}
