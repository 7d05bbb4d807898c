package dev.chorus.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeConfig;
import dev.chorus.node.internal.originserver.OriginServer;
import dev.chorus.node.internal.originserver.OriginServerConfig;
import dev.chorus.node.stream.StreamServer;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.testing.Await;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The node's page and the demo page in a real browser (headless Chromium): they load with no
 * console error, a track played through the node page's {@code <audio>} element plays (its
 * {@code currentTime} advances) and shows in the node's counters, the panels follow what happens,
 * and the demo page ends with the terminal's table. Screenshots go to {@code target/browser/}.
 */
class PagesInBrowserTest {
  static Browser browser;

  @BeforeAll
  static void startBrowser() {
    browser = Browser.start();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @BeforeEach
  void blankPage() {
    browser.driver.get("about:blank");
    browser.consoleErrors(); // what an earlier test's page logged is not this test's
  }

  static long number(String js) {
    return ((Number) browser.script(js)).longValue();
  }

  @Test
  void theNodePagePlaysATrackThroughItsAudioElementAndFollowsTheNode(@TempDir Path dir) throws Exception {
    PublisherKeyPair publisher = DemoCatalog.publisherKey(3);
    List<DemoCatalog.Track> tracks = DemoCatalog.publish(dir.resolve("catalog"), 2, 3, publisher);
    TrackId played = tracks.get(1).manifest().trackId();
    try (OriginServer origin = OriginServer.start(OriginServerConfig.builder().root(dir.resolve("catalog"))
            .host("127.0.0.1").build());
        PeerIndex index = InMemoryPeerIndex.create(PeerIndexConfig.defaults());
        TrackerServer tracker = TrackerServer.start(TrackerConfig.builder(NoiseKeyPair.generateX25519(
            new SecureRandom())).listenAddress(new InetSocketAddress("127.0.0.1", 0)).build(), index,
            TrackerListener.NOOP);
        ChorusNode holder = ChorusNode.start(nodeConfig(origin, tracker, publisher));
        ChorusNode node = ChorusNode.start(nodeConfig(origin, tracker, publisher));
        StreamServer stream = StreamServer.start(node)) {
      // Another node holds the track, so the page's node gets most of it from a peer.
      try (var in = holder.open(played)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      Await.until(() -> tracker.indexStats().tracks() > 0, "the tracker knows the holder");
      browser.driver.get(stream.urlPrefix().toString());
      Await.until(() -> "loaded".equals(browser.script("return document.body.dataset.catalog")),
          "the catalog is loaded");
      List<WebElement> rows = browser.driver.findElements(By.cssSelector("#catalog tbody tr"));
      assertEquals(2, rows.size(), "one row per track of index.json");
      Await.until(() -> number("return Number(document.body.dataset.updates)") >= 1, "the panels are filled");
      assertEquals(node.nodeId().toHex().substring(0, 8), browser.driver.findElement(By.id("node-id")).getText());

      WebElement row = browser.driver.findElement(By.cssSelector("#catalog tr[data-track='" + played.toHex() + "']"));
      assertTrue(row.getText().contains(tracks.get(1).title()), row.getText());
      row.findElement(By.cssSelector("button.play")).click();

      Await.until(() -> number("return Math.floor(document.getElementById('player').currentTime)") >= 2,
          "the <audio> element plays the track (currentTime advances)");
      assertEquals(stream.url(played).toString(), browser.script("return document.getElementById('player').currentSrc"));
      Await.until(() -> node.stats().played().total() > 0 && node.stats().bytesFromCdn() > 0,
          "the node counts the bytes it played");
      // The panels follow: the node page names the track being played and maps its chunks.
      long updates = number("return Number(document.body.dataset.updates)");
      Await.until(() -> number("return Number(document.body.dataset.updates)") > updates + 1, "the panels update");
      Await.until(() -> browser.driver.findElement(By.id("now-playing")).getText().contains(tracks.get(1).title()),
          "the page shows what the node plays");
      String legend = browser.driver.findElement(By.id("chunk-legend")).getText();
      assertTrue(legend.matches("(?s).*CDN [1-9].*"), "the chunk map shows chunks from the CDN: " + legend);
      String totals = browser.driver.findElement(By.id("totals")).getText();
      assertTrue(totals.contains("playbacks 1"), totals);
      String holderId = holder.nodeId().toHex().substring(0, 8);
      Await.until(() -> browser.driver.findElement(By.id("chunk-legend")).getText().contains("peer " + holderId),
          "the chunk map shows chunks from the holder");
      Await.until(() -> browser.driver.findElement(By.id("neighbours")).getText().contains(holderId),
          "the holder is listed as a neighbour");
      assertTrue(node.stats().bytesFromPeers() > 0, node.stats().toString());

      // Seeking: the element asks the node for a range from the middle, and goes on playing there.
      browser.script("const p = document.getElementById('player'); p.currentTime = p.duration / 2;");
      double half = ((Number) browser.script("return document.getElementById('player').duration / 2")).doubleValue();
      Await.until(() -> ((Number) browser.script("return document.getElementById('player').currentTime"))
          .doubleValue() >= half + 1, "playback goes on after a seek to the middle");

      assertEquals(List.of(), browser.consoleErrors(), "the node page logs no error");
      Path shot = browser.screenshot("node-page");
      assertTrue(Files.size(shot) > 10_000, shot.toString());
      browser.driver.get("about:blank"); // before the node closes: the page would log its polls failing
    }
  }

  private static NodeConfig nodeConfig(OriginServer origin, TrackerServer tracker, PublisherKeyPair publisher) {
    return NodeConfig.builder()
        .origin(origin.baseUri())
        .tracker(tracker.publicKeyHex() + "@127.0.0.1:" + tracker.address().getPort())
        .bindHost("127.0.0.1")
        .trustedPublisher(publisher.publicKey())
        .build();
  }

  @Test
  void theDemoPageShowsTheSwarmLiveAndEndsWithTheTable(@TempDir Path dir) throws Exception {
    DemoOptions options = new DemoOptions(5, 2, Duration.ofSeconds(20), 16, 7, Optional.of(dir), false,
        100_000_000L, 0);
    AtomicReference<DemoReport> report = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    try (DemoPage page = DemoPage.start(0);
        PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8)) {
      Thread demo = new Thread(() -> {
        try {
          report.set(Demo.run(options, out, false, new AtomicBoolean(), page));
        } catch (Throwable t) {
          failure.set(t);
        }
      }, "demo");
      demo.start();
      browser.driver.get(page.url().toString());
      Await.until(() -> "running".equals(browser.script("return document.body.dataset.phase")), "the demo runs");
      Await.until(() -> browser.driver.findElements(By.cssSelector("#nodes tbody tr")).size() == 5,
          "every node has a row");
      Await.until(() -> browser.driver.findElements(By.cssSelector("#swarm line.transfer")).size() > 0
              && !browser.driver.findElements(By.cssSelector("#swarm line.transfer[stroke='#27ae60']")).isEmpty(),
          "transfers between peers are drawn as they happen");
      assertEquals(5, browser.driver.findElements(By.cssSelector("#swarm g.node")).size());
      long updates = number("return Number(document.body.dataset.updates)");
      Await.until(() -> number("return Number(document.body.dataset.updates)") > updates + 1, "the page updates");
      assertEquals(List.of(), browser.consoleErrors(), "the demo page logs no error while it runs");
      browser.screenshot("demo-page-running");

      demo.join(Duration.ofMinutes(2).toMillis());
      assertEquals(null, failure.get());
      Await.until(() -> "finished".equals(browser.script("return document.body.dataset.phase")),
          "the page says the demo finished");
      Await.until(() -> !browser.driver.findElement(By.id("final-table")).getText().isEmpty(), "the final table");
      String shown = (String) browser.script("return document.getElementById('final-table').textContent");
      assertEquals(report.get().table(), shown, "the page ends with the table the terminal prints");
      String total = browser.driver.findElement(By.cssSelector("#nodes tfoot")).getText();
      assertTrue(total.startsWith("total " + report.get().plays() + " "), total);
      assertEquals(List.of(), browser.consoleErrors(), "the demo page logs no error");
      browser.screenshot("demo-page");
    }
  }
}
