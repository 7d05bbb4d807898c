package dev.chorus.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@link AesGcmRecordBenchmark} under JMH with the GC profiler, as {@code BENCH
 * noise_aesgcm_record_ns_<path>_<size>} (one record sealed and opened, wall clock), {@code
 * noise_aesgcm_record_cpu_ns_<path>_<size>} (the same in the thread's CPU time) and {@code
 * noise_aesgcm_record_alloc_bytes_<path>_<size>} (bytes allocated per record, which does not depend
 * on the machine's load). The evidence for {@code NoiseHandler.NATIVE_RECORD_MAX_BYTES}.
 */
final class AesGcmRecordBench {
  private AesGcmRecordBench() {}

  static List<String> run(boolean quick) throws Exception {
    List<String> paths = new ArrayList<>(List.of(AesGcmRecordBenchmark.JDK));
    if (libsodiumSelected()) {
      paths.add(AesGcmRecordBenchmark.LIBSODIUM);
    } else {
      System.err.println("bench: libsodium's AES-GCM is not available here (Debian: apt-get install libsodium23); "
          + "measuring the JDK's AES-GCM records only");
    }
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include("dev\\.chorus\\.bench\\." + AesGcmRecordBenchmark.class.getSimpleName() + "\\.")
        .param("path", paths.toArray(new String[0]))
        .forks(1)
        .threads(1)
        .shouldDoGC(true)
        .addProfiler(GCProfiler.class);
    BenchMain.iterations(options, quick);
    List<String> lines = new ArrayList<>();
    for (RunResult r : new Runner(options.build()).run()) {
      String name = r.getParams().getParam("path") + "_" + sizeName(Integer.parseInt(r.getParams().getParam("size")));
      lines.add(String.format(Locale.ROOT, "BENCH noise_aesgcm_record_ns_%s %.0f ns", name, r.getPrimaryResult().getScore()));
      Result<?> cpuNanos = r.getSecondaryResults().get("cpuNanos");
      Result<?> records = r.getSecondaryResults().get("records");
      if (cpuNanos != null && records != null && records.getScore() > 0) {
        lines.add(String.format(Locale.ROOT, "BENCH noise_aesgcm_record_cpu_ns_%s %.0f ns", name,
            cpuNanos.getScore() / records.getScore()));
      }
      Result<?> alloc = r.getSecondaryResults().get("·gc.alloc.rate.norm");
      if (alloc == null) {
        alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      }
      if (alloc != null) {
        lines.add(String.format(Locale.ROOT, "BENCH noise_aesgcm_record_alloc_bytes_%s %.0f B", name, alloc.getScore()));
      }
    }
    return lines;
  }

  /** 100, 1500, 4k, 16k: whole KiB as {@code <n>k}, as in {@code framing_aesgcm_16k}. */
  static String sizeName(int bytes) {
    return bytes % 1024 == 0 ? (bytes / 1024) + "k" : Integer.toString(bytes);
  }

  /** Whether this JVM (and so the forks, which get the same properties) selects libsodium's AES-GCM. */
  private static boolean libsodiumSelected() throws Exception {
    return EncryptedFramingBenchmark.Handshakes.connectedPair("Noise_XX_25519_AESGCM_SHA256")[0].usesNativeMemory();
  }
}
