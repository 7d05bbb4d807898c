package dev.chorus.bench;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.chorus.bench.EncryptedFramingBenchmark.Handshakes;
import dev.chorus.protocol.noise.NoiseTransport;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One Noise AES-GCM transport record sealed and opened, the way {@code NoiseHandler} does it on
 * each path, to show where libsodium stops paying off ({@code NoiseHandler.NATIVE_RECORD_MAX_BYTES},
 * protocol/docs/noise.md). {@code jdk}: the plaintext copied into a heap record, encrypted in place
 * with the JDK's cipher ({@link NoiseTransport#encrypt(ByteBuffer, ByteBuffer)}), decrypted into a
 * second heap buffer. {@code libsodium}: the same on direct buffers through {@link
 * NoiseTransport#encryptNative}/{@link NoiseTransport#decryptNative}. Run with JMH's GC profiler
 * for the bytes allocated per record ({@link AesGcmRecordBench}), and with {@link CpuTime} for the
 * benchmark thread's CPU time per record, which unlike JMH's wall-clock score holds up on a machine
 * that other processes share.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AesGcmRecordBenchmark {
  static final String JDK = "jdk";
  static final String LIBSODIUM = "libsodium";

  @Param({JDK, LIBSODIUM})
  public String path;

  /** Plaintext bytes per record; the record on the wire is 16 more (the tag). */
  @Param({"100", "1500", "4096", "16384"})
  public int size;

  private NoiseTransport sender;
  private NoiseTransport receiver;
  private byte[] plaintext;
  private ByteBuffer heapRecord;
  /** The plaintext's view of {@link #heapRecord}: encryption is in place, as in NoiseHandler. */
  private ByteBuffer heapRecordPlain;
  private ByteBuffer heapPlain;
  private ByteBuffer directRecord;
  private ByteBuffer directPlain;
  private long directRecordAddress;
  private long directPlainAddress;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    NoiseTransport[] pair = Handshakes.connectedPair("Noise_XX_25519_AESGCM_SHA256");
    sender = pair[0];
    receiver = pair[1];
    if (path.equals(LIBSODIUM) && !sender.usesNativeMemory()) {
      throw new IllegalStateException("libsodium's AES-GCM is not selected in this JVM "
          + "(Debian: apt-get install libsodium23; not -Dchorus.noise.aesgcm=jdk)");
    }
    plaintext = new byte[size];
    new Random(size).nextBytes(plaintext);
    heapRecord = ByteBuffer.allocate(size + NoiseTransport.TAG_LENGTH);
    heapRecordPlain = heapRecord.duplicate();
    heapPlain = ByteBuffer.allocate(size);
    directRecord = ByteBuffer.allocateDirect(size + NoiseTransport.TAG_LENGTH);
    directPlain = ByteBuffer.allocateDirect(size);
    directRecordAddress = address(directRecord);
    directPlainAddress = address(directPlain);
  }

  private static long address(ByteBuffer direct) {
    return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
  }

  /**
   * The measuring thread's CPU time and the records it sealed and opened, per iteration (JMH sums
   * them over the iterations; their ratio is the CPU time per record).
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class CpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    public long cpuNanos;
    public long records;
    private long startNanos;

    @Setup(Level.Iteration)
    public void start() {
      records = 0;
      cpuNanos = 0;
      startNanos = THREADS.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void stop() {
      cpuNanos = THREADS.getCurrentThreadCpuTime() - startNanos;
    }
  }

  /** Seal then open one record (nonces advance, so each open needs a fresh seal). */
  @Benchmark
  public int record(CpuTime cpu) throws Exception {
    cpu.records++;
    return path.equals(LIBSODIUM) ? nativeRecord() : heapRecord();
  }

  private int heapRecord() throws Exception {
    System.arraycopy(plaintext, 0, heapRecord.array(), 0, size);
    heapRecordPlain.limit(size).position(0);
    heapRecord.clear();
    sender.encrypt(heapRecordPlain, heapRecord);
    heapRecord.flip();
    heapPlain.clear();
    return receiver.decrypt(heapRecord, heapPlain);
  }

  private int nativeRecord() throws Exception {
    directRecord.put(0, plaintext);
    sender.encryptNative(directRecordAddress, size, directRecordAddress);
    return receiver.decryptNative(directRecordAddress, size + NoiseTransport.TAG_LENGTH, directPlainAddress);
  }
}
