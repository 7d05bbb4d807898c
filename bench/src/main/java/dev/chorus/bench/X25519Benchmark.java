package dev.chorus.bench;

import dev.chorus.protocol.noise.NoiseKeyPair;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One X25519 scalar multiplication (a public key from a private key) in whichever implementation
 * the process uses ({@code -Dchorus.noise.x25519}); BenchMain runs it once per implementation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class X25519Benchmark {
  private byte[] privateKey;

  @Setup
  public void setUp() {
    privateKey = NoiseKeyPair.generateX25519(new SecureRandom()).privateKey();
  }

  @Benchmark
  public NoiseKeyPair publicKey() {
    return NoiseKeyPair.fromPrivateKeyX25519(privateKey);
  }
}
