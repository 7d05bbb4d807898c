package dev.chorus.tracker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.testing.ExternalTool;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.tracker.TrackerListener.Outcome;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class MetricsEndpointTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicBoolean healthy = new AtomicBoolean(true);
  private final HttpClient http = HttpClient.newHttpClient();
  private MetricsHttpServer server;

  @BeforeEach
  void start() throws IOException {
    new JvmMemoryMetrics().bindTo(registry);
    MicrometerTrackerListener listener = new MicrometerTrackerListener(registry);
    listener.connectionOpened();
    listener.announceHandled(Outcome.OK, 12);
    listener.lookupHandled(Outcome.OK, 7, 150_000);
    listener.lookupHandled(Outcome.OK, 0, 90_000);
    listener.lookupHandled(Outcome.RATE_LIMITED, 0, 1_000);
    listener.rejected(ErrorCode.BANNED);
    listener.banned();
    listener.bytesReceived(1000);
    listener.bytesSent(2000);
    listener.connectionClosed(ErrorCode.IDLE_TIMEOUT, true);
    listener.playbackReported("eu-west", new PlaybackReports.Figures(100, 300, 600, 50, 3, 1,
        new long[] {1, 1, 0, 0, 0, 1}, 400));
    listener.playbackReportRefused(Outcome.INVALID);
    server = MetricsHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, healthy::get);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsCarryTheTrackerMeters() throws Exception {
    HttpResponse<String> r = get("/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    String body = r.body();
    assertTrue(body.contains("chorus_tracker_lookups_total{outcome=\"ok\"} 2.0"), body);
    assertTrue(body.contains("chorus_tracker_lookups_empty_total 1.0"));
    assertTrue(body.contains("chorus_tracker_bans_total 1.0"));
    assertTrue(body.contains("chorus_tracker_rejections_total{reason=\"banned\"} 1.0"));
    assertTrue(body.contains("chorus_tracker_disconnects_total{reason=\"idle_timeout\"} 1.0"));
    assertTrue(body.contains("chorus_tracker_lookup_latency_seconds_bucket"));
    assertTrue(body.contains("chorus_tracker_bytes_received_bytes_total 1000.0"));
    assertTrue(body.contains("jvm_memory_used_bytes"));
    assertTrue(body.contains("chorus_tracker_playback_played_bytes_total{region=\"eu-west\",source=\"cdn\"} 600.0"), body);
    assertTrue(body.contains("chorus_tracker_playback_played_bytes_total{region=\"none\",source=\"peers\"} 0.0"));
    assertTrue(body.contains("chorus_tracker_playback_plays_total{region=\"eu-west\"} 3.0"));
    assertTrue(body.contains("chorus_tracker_playback_stutters_total{region=\"eu-west\"} 1.0"));
    assertTrue(body.contains("chorus_tracker_playback_uploaded_bytes_total{region=\"eu-west\"} 400.0"));
    assertTrue(body.contains("chorus_tracker_playback_unplayed_bytes_total{region=\"eu-west\"} 50.0"));
    assertTrue(body.contains("chorus_tracker_playback_start_latency_seconds_bucket{region=\"eu-west\",le=\"0.25\"} 1"), body);
    assertTrue(body.contains("chorus_tracker_playback_start_latency_seconds_bucket{region=\"eu-west\",le=\"0.5\"} 2"));
    assertTrue(body.contains("chorus_tracker_playback_start_latency_seconds_bucket{region=\"eu-west\",le=\"5.0\"} 2"));
    assertTrue(body.contains("chorus_tracker_playback_start_latency_seconds_count{region=\"eu-west\"} 3"));
    assertTrue(body.contains("chorus_tracker_playback_reports_total{outcome=\"ok\"} 1.0"));
    assertTrue(body.contains("chorus_tracker_playback_reports_total{outcome=\"invalid\"} 1.0"));
  }

  @Test
  void expositionPassesPromtool() throws Exception {
    Path promtool = ExternalTool.require("promtool", "prometheus");
    String body = get("/metrics").body();
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    p.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool finished");
    assertEquals(0, p.exitValue(), "promtool check metrics said:\n" + output);
    assertTrue(output.isBlank(), "promtool reported problems:\n" + output);
  }

  @Test
  void healthzFollowsTheServer() throws Exception {
    assertEquals(200, get("/healthz").statusCode());
    healthy.set(false);
    assertEquals(503, get("/healthz").statusCode());
    assertEquals(404, get("/nope").statusCode());
  }
}
