package dev.chorus.bench;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.framing.FrameDecoder;
import dev.chorus.protocol.framing.FrameEncoder;
import dev.chorus.protocol.framing.FrameFormat;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.message.MessageCodec;
import dev.chorus.protocol.noise.NoiseHandshake;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.noise.NoiseTransport;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.PeerMessage;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One 16 KiB chunk through the framing and encryption a node does per chunk, on one thread:
 * {@link #send} = envelope encode + frame header + Noise encrypt; {@link #receive} = Noise
 * decrypt + frame decode + envelope parse. Throughput is reported per chunk of payload.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EncryptedFramingBenchmark {
  static final int CHUNK_BYTES = 16 * 1024;

  @Param({"Noise_XX_25519_AESGCM_SHA256", "Noise_XX_25519_ChaChaPoly_SHA256"})
  public String protocol;

  private final MessageCodec<PeerMessage> codec = new MessageCodec<>(Envelope.PEER);
  private final FrameEncoder frames = new FrameEncoder(FrameFormat.messages());
  private final FrameDecoder frameDecoder = new FrameDecoder(FrameFormat.messages());
  private PeerMessage chunk;
  private NoiseTransport sender;
  private NoiseTransport receiver;
  private ByteBuffer plain;
  private ByteBuffer record;
  private ByteBuffer decrypted;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    byte[] data = new byte[CHUNK_BYTES];
    new SecureRandom().nextBytes(data);
    chunk = PeerMessage.newBuilder()
        .setChunkData(ChunkData.newBuilder().setRequestId(12345).setIndex(678).setData(ByteString.copyFrom(data)))
        .build();
    NoiseTransport[] pair = Handshakes.connectedPair(protocol);
    sender = pair[0];
    receiver = pair[1];
    int frameBytes = 4 + codec.encodedSize(chunk);
    plain = ByteBuffer.allocate(frameBytes);
    record = ByteBuffer.allocate(frameBytes + 16);
    decrypted = ByteBuffer.allocate(frameBytes);
  }

  @Benchmark
  public int send() throws Exception {
    plain.clear();
    frames.writeHeader(plain, codec.encodedSize(chunk));
    codec.encode(chunk, plain);
    plain.flip();
    record.clear();
    int n = sender.encrypt(plain, record);
    return n;
  }

  /** Receive needs fresh ciphertext per call (nonces advance), so it seals and opens. */
  @Benchmark
  public PeerMessage sendAndReceive() throws Exception {
    send();
    record.flip();
    decrypted.clear();
    receiver.decrypt(record, decrypted);
    decrypted.flip();
    ByteBuffer body = frameDecoder.nextFrame(decrypted);
    return codec.decode(body);
  }

  static final class Handshakes {
    private Handshakes() {}

    static NoiseTransport[] connectedPair(String protocol) throws Exception {
      SecureRandom random = new SecureRandom();
      NoiseHandshake a = NoiseHandshake.builder(protocol, true)
          .localStatic(NoiseKeyPair.generateX25519(random)).random(random).build();
      NoiseHandshake b = NoiseHandshake.builder(protocol, false)
          .localStatic(NoiseKeyPair.generateX25519(random)).random(random).build();
      runXx(a, b);
      return new NoiseTransport[] {a.split(), b.split()};
    }

    static void runXx(NoiseHandshake initiator, NoiseHandshake responder) throws Exception {
      byte[] empty = new byte[0];
      responder.readMessage(initiator.writeMessage(empty));
      initiator.readMessage(responder.writeMessage(empty));
      responder.readMessage(initiator.writeMessage(empty));
    }
  }
}
