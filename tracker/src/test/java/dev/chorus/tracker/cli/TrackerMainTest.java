package dev.chorus.tracker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackerMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return TrackerMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void helpListsTheOptions() {
    assertEquals(0, run("--help"));
    String help = out.toString();
    assertTrue(help.contains("Usage: chorus-tracker"), help);
    for (String option : new String[] {"--listen", "--metrics", "--key-file", "--backend", "--redis-uri",
        "--keep-per-track", "--ttl", "--lookup-rate", "--max-connections-per-ip", "--ban-duration", "--idle-timeout",
        "--max-holdings-per-key", "--max-holdings-per-prefix", "--max-partial-bytes-per-key", "--max-index-bytes",
        "--quota-prefix-v4", "--quota-prefix-v6", "--telemetry-region", "--redis-lookup-cache-ttl",
        "--redis-lookup-cache-tracks", "--io-threads", "--transport"}) {
      assertTrue(help.contains(option), option + " is documented");
    }
  }

  @Test
  void unknownOptionIsAnErrorWithUsage() {
    assertEquals(2, run("--no-such-thing"));
    assertTrue(err.toString().contains("Unknown option: '--no-such-thing'"), err.toString());
  }

  @Test
  void redisBackendNeedsAUri(@TempDir Path dir) {
    assertEquals(2, run("--backend", "redis", "--key-file", dir.resolve("k").toString()));
    assertTrue(err.toString().contains("--backend redis needs --redis-uri"), err.toString());
  }

  @Test
  void aTelemetryRegionMustBeARegionTag(@TempDir Path dir) {
    assertEquals(2, run("--telemetry-region", "eu-west,Not A Tag", "--key-file", dir.resolve("k").toString()));
    assertTrue(err.toString().contains("telemetryRegions: \"Not A Tag\" is not a region tag"), err.toString());
  }

  @Test
  void badSettingNamesTheSetting(@TempDir Path dir) {
    assertEquals(2, run("--keep-per-track", "0", "--key-file", dir.resolve("k").toString()));
    assertTrue(err.toString().contains("keepPerTrack must be"), err.toString());
  }

  @Test
  void aLookupCacheTtlOverAMinuteIsRefused(@TempDir Path dir) {
    assertEquals(2, run("--redis-lookup-cache-ttl", "2m", "--key-file", dir.resolve("k").toString()));
    assertTrue(err.toString().contains("lookup cache TTL must be 0 (off) to 60s, was PT2M"), err.toString());
  }

  @Test
  void aLookupCacheOfNoTracksIsRefused(@TempDir Path dir) {
    assertEquals(2, run("--redis-lookup-cache-tracks", "0", "--key-file", dir.resolve("k").toString()));
    assertTrue(err.toString().contains("lookup cache tracks must be 1..1000000, was 0"), err.toString());
  }

  @Test
  void anUnknownTransportSaysWhichOnesThereAre(@TempDir Path dir) {
    assertEquals(2, run("--transport", "kqueue", "--key-file", dir.resolve("k").toString()));
    assertTrue(err.toString().contains("unknown transport 'kqueue': use auto, epoll or nio (see --help)"), err.toString());
  }

  @Test
  void badDurationSaysWhatADurationLooksLike() {
    assertEquals(2, run("--ttl", "soon"));
    assertTrue(err.toString().contains("'soon' is not a duration"), err.toString());
  }

  @Test
  void anIpv6QuotaPrefixLongerThan64BitsIsRefused(@TempDir Path dir) {
    assertEquals(2, run("--quota-prefix-v6", "96", "--key-file", dir.resolve("k").toString()));
    assertTrue(err.toString().contains("IPv6 prefix length must be 1..64"), err.toString());
  }

  @Test
  void byteSizesAreConverted() {
    ByteSizeConverter c = new ByteSizeConverter();
    assertEquals(512L << 20, c.convert("512m"));
    assertEquals(1L << 30, c.convert("1G"));
    assertEquals(65_536L, c.convert("64k"));
    assertEquals(1000L, c.convert("1000"));
    assertEquals(2, run("--max-index-bytes", "lots"));
    assertTrue(err.toString().contains("'lots' is not a byte size"), err.toString());
  }

  @Test
  void durationsAreConverted() {
    DurationConverter c = new DurationConverter();
    assertEquals(Duration.ofMinutes(10), c.convert("10m"));
    assertEquals(Duration.ofMinutes(10), c.convert("PT10M"));
  }
}
