package dev.chorus.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.ExternalTool;
import dev.chorus.testing.process.NginxServer;
import org.junit.jupiter.api.Test;

/**
 * The chaos soak at CI size ({@link ChaosOptions#ci()}: 8 nodes, 2 of them child JVMs, 100 s, a
 * 10 s origin outage instead of the bench's 30 s). Needs nginx and root (the tmpfs); with CI=true
 * a missing nginx or a failed mount fails the test.
 */
class ChaosSoakTest {

  @Test
  void everyPlayedByteIsVerifiedAndEveryPlayEndsCompleteOrWithAClearError() throws Exception {
    ExternalTool.require(NginxServer.PROGRAM, NginxServer.DEBIAN_PACKAGE);
    ChaosReport r = ChaosSoak.run(ChaosOptions.ci(), System.out);
    r.benchLines().forEach(System.out::println);
    r.errorSamples().forEach(System.out::println);

    assertEquals(0, r.unverifiedBytes(), "bytes that differ from the published file reached a player");
    assertEquals(0, r.unclearEndings(), "plays that hung or failed without a clear error: " + r.errorSamples());
    assertTrue(r.outcome("COMPLETE") >= 10, "plays completed under the faults: " + r.outcomes());
    assertTrue(r.outcome("COMPLETE") > r.plays() / 2, "most plays complete: " + r.outcomes());

    assertEquals(3, r.restarts(), "every killed child node came back on its cache");
    assertEquals(1, r.trackerRestarts());
    assertEquals(2, r.cachesReopened(), "every child cache reopens after its last SIGKILL");
    assertEquals(0, r.cacheErrors(), "chunks missing or corrupt in a killed node's cache");
    assertTrue(r.cachedChunksVerified() > 0, "the killed nodes had cached something");

    assertTrue(r.corruptChunksSent() > 0, "the corrupting peer was asked for chunks");
    assertTrue(r.bans() > 0, "the corrupting peer was banned");

    if (r.diskFullEvents() >= 0 || "true".equalsIgnoreCase(System.getenv("CI"))) {
      assertEquals(1, r.diskFullEvents(), "node 1's cache filled its tmpfs and turned caching off");
      assertTrue(r.diskFullPlaysAfter() > 0, "node 1 kept playing after its disk was full");
    }
  }
}
