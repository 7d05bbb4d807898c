package dev.chorus.bench.node;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * CPU time of this process and of its threads grouped by role (the name with its node name and
 * numbers left out), read at two instants: CPU per byte moved survives a machine shared with other
 * work, where wall-clock throughput does not. Threads are read from {@code /proc/self/task}, so
 * the native ones count too (RocksDB's flush and compaction threads, the JIT's, the GC's); where
 * that cannot be read, only the Java threads ({@link ThreadMXBean}).
 */
record CpuTimes(long processNanos, Map<String, Long> byRole) {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  static CpuTimes now() {
    Map<String, Long> fromProc = procThreads();
    if (fromProc != null) {
      return new CpuTimes(processCpuNanos(), fromProc);
    }
    Map<String, Long> roles = new HashMap<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = THREADS.getThreadCpuTime(info.getThreadId());
      if (cpu > 0) {
        roles.merge(role(info.getThreadName()), cpu, Long::sum);
      }
    }
    return new CpuTimes(processCpuNanos(), roles);
  }

  /**
   * CPU time of every thread of the process by role, from schedstat (nanoseconds); thread names
   * are the kernel's, cut to 15 characters ({@link StartCostBench#role}: "chorus-net-b1c0",
   * "rocksdb:high", "C2 CompilerThre" are "chorus-net", "rocksdb:high", "C2"). Null without /proc.
   */
  private static Map<String, Long> procThreads() {
    Map<String, Long> roles = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          String schedstat = Files.readString(task.resolve("schedstat"));
          String name = Files.readString(task.resolve("comm")).trim();
          long nanos = Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
          roles.merge(procRole(name), nanos, Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException e) {
      return null;
    }
    return roles;
  }

  /** A kernel thread name's role: the JVM's compiler and GC threads by what they do, the launcher's main thread as "main". */
  static String procRole(String comm) {
    if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
      return "JIT";
    }
    if (comm.startsWith("G1 ") || comm.startsWith("GC Thread")) {
      return "GC";
    }
    return comm.equals("java") ? "main" : StartCostBench.role(comm);
  }

  /** "chorus-net-b1c0ffee-3-1" and "chorus-net-a-2-1" are both "chorus-net". */
  static String role(String threadName) {
    String[] parts = threadName.split("-");
    StringBuilder b = new StringBuilder(parts[0]);
    if (parts.length > 1 && parts[0].equals("chorus")) {
      b.append('-').append(parts[1]);
    } else {
      b.setLength(0);
      b.append(threadName.replaceAll("[0-9]+", "N"));
    }
    return b.toString();
  }

  CpuTimes minus(CpuTimes earlier) {
    Map<String, Long> roles = new HashMap<>(byRole);
    earlier.byRole.forEach((k, v) -> roles.merge(k, -v, Long::sum));
    return new CpuTimes(processNanos - earlier.processNanos, roles);
  }

  /** Roles by CPU seconds per GB moved, largest first, those above 0.01 s/GB. */
  String perGbByThread(long bytes) {
    double gb = bytes / 1e9;
    Map<String, Double> perGb = new TreeMap<>();
    byRole.forEach((k, v) -> perGb.put(k, v / 1e9 / gb));
    return perGb.entrySet().stream()
        .filter(e -> e.getValue() >= 0.01)
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
  }

  /** The process's CPU time (all threads, the JIT's and the GC's included). */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }
}
