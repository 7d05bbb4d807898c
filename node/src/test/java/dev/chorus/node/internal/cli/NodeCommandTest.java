package dev.chorus.node.internal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.originserver.OriginServer;
import dev.chorus.node.internal.originserver.OriginServerConfig;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.protocol.netty.Transport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code chorus node} run in-process: it streams a published track and serves its metrics. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NodeCommandTest {
  @TempDir Path dir;

  @Test
  void helpListsTheOptions() {
    StringWriter out = new StringWriter();
    int code = Cli.commandLine(new NodeCommand(), new PrintWriter(out), new PrintWriter(new StringWriter()))
        .execute("--help");
    assertEquals(0, code);
    for (String option : new String[] {"--origin", "--tracker", "--cache-dir", "--cache-size", "--listen-port",
        "--stream-port", "--metrics-port", "--upload-cap", "--download-cap", "--trust", "--no-telemetry",
        "--port-mapping", "auto|off", "--gateway", "--transport", "nio|epoll|auto"}) {
      assertTrue(out.toString().contains(option), option);
    }
  }

  @Test
  void aBadSizeIsAUsageErrorNamingTheOption() {
    StringWriter err = new StringWriter();
    int code = Cli.commandLine(new NodeCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err))
        .execute("--origin", "http://127.0.0.1:1/", "--cache-dir", dir.resolve("c").toString(),
            "--key", dir.resolve("k").toString(), "--cache-size", "lots");
    assertEquals(Cli.USAGE, code);
    assertTrue(err.toString().contains("--cache-size"), err.toString());
  }

  @Test
  void aBadPortMappingModeOrGatewayIsAUsageErrorNamingTheOption() {
    for (String[] args : new String[][] {{"--port-mapping", "upnp"}, {"--port-mapping", "auto", "--gateway",
        "router.lan"}, {"--port-mapping", "auto", "--gateway", "192.168.1.256"}}) {
      StringWriter err = new StringWriter();
      String[] all = new String[args.length + 6];
      System.arraycopy(new String[] {"--origin", "http://127.0.0.1:1/", "--cache-dir", dir.resolve("c").toString(),
          "--key", dir.resolve("k").toString()}, 0, all, 0, 6);
      System.arraycopy(args, 0, all, 6, args.length);
      int code = Cli.commandLine(new NodeCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err))
          .execute(all);
      assertEquals(Cli.USAGE, code, String.join(" ", args));
      assertTrue(err.toString().contains(args[args.length - 2]), err.toString());
    }
  }

  @Test
  void anUnknownTransportIsAUsageErrorSayingWhichOnesThereAre() {
    StringWriter err = new StringWriter();
    int code = Cli.commandLine(new NodeCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err))
        .execute("--origin", "http://127.0.0.1:1/", "--cache-dir", dir.resolve("c").toString(),
            "--key", dir.resolve("k").toString(), "--transport", "kqueue");
    assertEquals(Cli.USAGE, code);
    assertTrue(err.toString().contains("--transport: unknown transport 'kqueue': use auto, epoll or nio"), err.toString());
  }

  /** On the default transport and on NIO: the peer, tracker and stream sockets all come from it. */
  @ParameterizedTest
  @ValueSource(strings = {"auto", "nio"})
  void theDaemonStreamsATrackAndServesMetrics(String transport) throws Exception {
    byte[] audio = new byte[200_000];
    new Random(5).nextBytes(audio);
    TrackManifest m = TrackManifest.builder().mimeType("audio/ogg; codecs=opus").originKey("audio/t.opus")
        .durationMillis(10_000).bitsPerSecond(160_000).publish(audio, PublisherKeyPair.generate(new SecureRandom()));
    Path catalog = Files.createDirectories(dir.resolve("catalog"));
    Files.createDirectories(catalog.resolve("manifests"));
    Files.createDirectories(catalog.resolve("audio"));
    Files.write(catalog.resolve("manifests").resolve(m.trackId().toHex()), m.encoded());
    Files.write(catalog.resolve("audio/t.opus"), audio);
    try (OriginServer origin = OriginServer.start(OriginServerConfig.builder().root(catalog).port(0).build())) {
      NodeCommand command = new NodeCommand();
      Path key = dir.resolve("node.key");
      StringWriter out = new StringWriter();
      CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Cli.commandLine(command,
          new PrintWriter(out), new PrintWriter(new StringWriter())).execute(
              "--origin", origin.baseUri().toString(), "--cache-dir", dir.resolve("cache").toString(),
              "--key", key.toString(), "--bind", "127.0.0.1", "--listen-port", "0", "--stream-port", "0",
              "--metrics-port", "0", "--transport", transport));
      InetSocketAddress[] addresses = command.started.get(60, TimeUnit.SECONDS);
      assertTrue(out.toString().contains("(" + Transport.named(transport) + "), streams at"), out.toString());
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<byte[]> track = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + addresses[0].getPort() + "/tracks/" + m.trackId().toHex())).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, track.statusCode());
      assertArrayEquals(audio, track.body());
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + addresses[1].getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("chorus_node_bytes_received_bytes_total"), metrics.body());
      command.stop.countDown();
      assertEquals(0, run.get(60, TimeUnit.SECONDS));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }
  }
}
