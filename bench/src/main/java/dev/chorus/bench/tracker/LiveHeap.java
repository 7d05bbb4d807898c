package dev.chorus.bench.tracker;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * Bytes of the objects alive after a full collection: the total of the JVM's class histogram
 * ({@code jcmd <pid> GC.class_histogram}, through the DiagnosticCommand MBean, which collects
 * first). Not the heap's used bytes: those count whole regions and pages (ZGC's 32 MiB medium
 * pages for objects over 256 KiB, G1's humongous regions for arrays over half a region), so at a
 * tracker index's size they move in steps of several bytes per entry, and the two collectors'
 * figures for the same index differ by 7-14 bytes per entry.
 */
final class LiveHeap {

  private LiveHeap() {}

  static long bytes() throws Exception {
    String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    for (String l : histogram.split("\n")) {
      String[] f = l.trim().split("\\s+");
      if (f.length == 3 && f[0].equals("Total")) {
        return Long.parseLong(f[2]);
      }
    }
    throw new IllegalStateException("no Total line in the class histogram:\n" + histogram);
  }
}
