package dev.chorus.tracker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.testing.Await;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.metrics.MetricsHttpServer;
import dev.chorus.tracker.metrics.MicrometerTrackerListener;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every metric the Grafana dashboard and the alerting rules query is in the exposition of a
 * tracker wired as {@code chorus-tracker} wires it, before any node has connected: a renamed
 * meter would otherwise leave a panel or an alert silently empty.
 */
class ExpositionNamesTest {
  /** Metric names as the dashboard and rules spell them (label names and functions are not prefixed so). */
  private static final Pattern METRIC = Pattern.compile("\\b(?:chorus|jvm|process|system)_[a-z0-9_]+\\b");

  static Set<String> metricsUsedIn(Path file) throws Exception {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(Files.readString(file));
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  static Set<String> exposed(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  @Test
  void everyMetricTheDashboardAndTheRulesUseIsExposed() throws Exception {
    Set<String> used = new TreeSet<>(metricsUsedIn(Path.of("grafana/chorus-tracker.json")));
    Set<String> inRules = metricsUsedIn(Path.of("prometheus/chorus-alerts.yml"));
    used.addAll(inRules);
    assertTrue(used.contains("chorus_tracker_playback_played_bytes_total") && inRules.size() >= 6, used.toString());

    PrometheusMeterRegistry registry = TrackerMain.newRegistry();
    TrackerConfig config = TrackerConfig.builder(NoiseKeyPair.generateX25519(new SecureRandom()))
        .listenAddress(new InetSocketAddress("127.0.0.1", 0)).ioThreads(1).build();
    try (PeerIndex index = InMemoryPeerIndex.create(PeerIndexConfig.defaults());
        TrackerServer server = TrackerServer.start(config, index, new MicrometerTrackerListener(registry));
        MetricsHttpServer http = MetricsHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, () -> true)) {
      TrackerMain.bindIndexGauges(registry, server, index);
      // The GC pause timer appears with the first collection.
      System.gc();
      Await.until(() -> registry.scrape().contains("jvm_gc_pause_seconds_sum"), "a GC pause recorded");
      URI uri = URI.create("http://127.0.0.1:" + http.address().getPort() + "/metrics");
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      Set<String> missing = new TreeSet<>(used);
      missing.removeAll(exposed(r.body()));
      assertEquals(Set.of(), missing, "queried by the dashboard or the rules but not exposed");
    }
  }
}
