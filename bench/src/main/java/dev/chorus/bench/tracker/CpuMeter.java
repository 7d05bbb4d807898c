package dev.chorus.bench.tracker;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent by this process and by groups of its threads (by name prefix) between two
 * readings. Throughput on a shared machine depends on what else runs; CPU time per response does
 * much less, so the benchmark reports both.
 */
final class CpuMeter {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** One reading. */
  static final class Reading {
    final long wallNanos;
    final long processNanos;
    final long trackerNanos;
    final long generatorNanos;
    /** Collections and milliseconds spent in them (pauses, for G1's young and mixed collections). */
    final long gcCount;
    final long gcMillis;
    /** Bytes allocated on the heap by the tracker's threads and by the generator's. */
    final long trackerAllocated;
    final long generatorAllocated;
    /** CPU time of an external process (redis-server), or 0. */
    final long externalNanos;

    Reading(long wallNanos, long processNanos, long trackerNanos, long generatorNanos, long gcCount, long gcMillis,
        long trackerAllocated, long generatorAllocated, long externalNanos) {
      this.wallNanos = wallNanos;
      this.processNanos = processNanos;
      this.trackerNanos = trackerNanos;
      this.generatorNanos = generatorNanos;
      this.gcCount = gcCount;
      this.gcMillis = gcMillis;
      this.trackerAllocated = trackerAllocated;
      this.generatorAllocated = generatorAllocated;
      this.externalNanos = externalNanos;
    }
  }

  private CpuMeter() {}

  /** A reading, with the CPU time of process {@code externalPid} too if it is positive (Linux only). */
  static Reading read(long externalPid) {
    long tracker = 0;
    long generator = 0;
    long trackerAllocated = 0;
    long generatorAllocated = 0;
    for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (t == null) {
        continue;
      }
      String name = t.getThreadName();
      boolean isTracker = name.startsWith("tracker-io") || name.startsWith("lettuce");
      boolean isGenerator = name.startsWith("loadgen");
      if (isTracker || isGenerator) {
        long cpu = Math.max(0, THREADS.getThreadCpuTime(t.getThreadId()));
        long allocated = Math.max(0, allocatedBytes(t.getThreadId()));
        if (isTracker) {
          tracker += cpu;
          trackerAllocated += allocated;
        } else {
          generator += cpu;
          generatorAllocated += allocated;
        }
      }
    }
    long gcCount = 0;
    long gcMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc.getName().contains("Concurrent")) {
        continue; // G1's concurrent cycle: not a pause
      }
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    return new Reading(System.nanoTime(), processCpuNanos(), tracker, generator, gcCount, gcMillis,
        trackerAllocated, generatorAllocated, externalPid > 0 ? processCpuNanos(externalPid) : 0);
  }

  /** utime + stime of a process from /proc/PID/stat, in nanoseconds (clock ticks taken as 1/100 s). */
  private static long processCpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    } catch (Exception e) {
      return 0;
    }
  }

  private static long allocatedBytes(long threadId) {
    if (THREADS instanceof com.sun.management.ThreadMXBean) {
      return ((com.sun.management.ThreadMXBean) THREADS).getThreadAllocatedBytes(threadId);
    }
    return -1;
  }

  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
    }
    return -1;
  }

  /** The 1-minute load average (Linux), or -1: how busy the machine was apart from us. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (Exception e) {
      return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
  }
}
