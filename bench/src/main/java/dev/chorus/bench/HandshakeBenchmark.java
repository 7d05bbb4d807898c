package dev.chorus.bench;

import dev.chorus.protocol.noise.NoiseHandshake;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.noise.NoiseTransport;
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
 * A full Noise_XX_25519_AESGCM_SHA256 handshake, both sides on one thread (three messages, fresh
 * ephemeral keys, five DH operations a side), then split into transport keys. One operation is one
 * complete handshake, so the figure is what one core does for both ends: a server doing only its
 * half manages about twice as many.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HandshakeBenchmark {
  private static final String PROTOCOL = "Noise_XX_25519_AESGCM_SHA256";

  private NoiseKeyPair initiatorStatic;
  private NoiseKeyPair responderStatic;
  private SecureRandom random;

  @Setup
  public void setUp() {
    random = new SecureRandom();
    initiatorStatic = NoiseKeyPair.generateX25519(random);
    responderStatic = NoiseKeyPair.generateX25519(random);
  }

  @Benchmark
  public NoiseTransport fullHandshake() throws Exception {
    NoiseHandshake a = NoiseHandshake.builder(PROTOCOL, true).localStatic(initiatorStatic).random(random).build();
    NoiseHandshake b = NoiseHandshake.builder(PROTOCOL, false).localStatic(responderStatic).random(random).build();
    EncryptedFramingBenchmark.Handshakes.runXx(a, b);
    b.split();
    return a.split();
  }
}
