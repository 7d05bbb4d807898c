package dev.chorus.node.internal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.originclient.OriginClient;
import dev.chorus.node.internal.originclient.OriginConfig;
import dev.chorus.node.internal.originserver.OriginServer;
import dev.chorus.node.internal.publish.CatalogIndex;
import dev.chorus.node.internal.publish.CatalogEntry;
import dev.chorus.node.internal.publish.TestAudio;
import dev.chorus.node.internal.s3.S3TestServer;
import dev.chorus.protocol.manifest.PublisherKey;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands run in-process, as a user would type them. */
class CliTest {
  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {}

  static Run chorus(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ChorusCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path keygen() {
    Path key = dir.resolve("publisher.key");
    Run r = chorus("keygen", "--out", key.toString());
    assertEquals(0, r.exitCode(), r.err());
    return key;
  }

  @Test
  void helpForEveryCommand() {
    for (String cmd : new String[] {"keygen", "publish", "origin", "node"}) {
      Run r = chorus(cmd, "--help");
      assertEquals(0, r.exitCode());
      assertTrue(r.out().contains("Usage: chorus " + cmd), r.out());
    }
    for (String cmd : new String[] {"publish", "node"}) {
      String help = chorus(cmd, "--help").out();
      assertTrue(help.contains("s3://") && help.contains("--s3-endpoint") && help.contains("--s3-region"), help);
    }
    Run top = chorus("--help");
    assertTrue(top.out().contains("keygen") && top.out().contains("publish") && top.out().contains("origin"), top.out());
    assertEquals(2, chorus().exitCode());
    Run unknown = chorus("frobnicate");
    assertEquals(2, unknown.exitCode());
    assertTrue(unknown.err().contains("frobnicate"), unknown.err());
    Run missing = chorus("publish", "--key", "k");
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().contains("Missing required options"), missing.err());
  }

  @Test
  void keygenWritesAnOwnerOnlySecretAndPrintsThePublicKey() throws Exception {
    Path key = dir.resolve("keys/publisher.key");
    Run r = chorus("keygen", "--out", key.toString());
    assertEquals(0, r.exitCode(), r.err());
    String pub = r.out().strip();
    assertTrue(pub.startsWith("chorus-ed25519-pub:"), pub);
    assertEquals(1, r.out().lines().count(), "stdout is only the public key");
    PublisherKey.fromText(pub);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    String secret = Files.readString(key);
    assertTrue(secret.startsWith("chorus-ed25519-sec:"));
    assertFalse(r.out().contains(secret.strip()) || r.err().contains(secret.strip().substring(19)), "secret printed");

    Run again = chorus("keygen", "--out", key.toString());
    assertEquals(1, again.exitCode());
    assertTrue(again.err().contains("already exists") && again.err().contains("--force"), again.err());
    assertEquals(secret, Files.readString(key));

    Run forced = chorus("keygen", "--out", key.toString(), "--force");
    assertEquals(0, forced.exitCode(), forced.err());
    assertFalse(secret.equals(Files.readString(key)));
    assertFalse(pub.equals(forced.out().strip()));

    Run toDir = chorus("keygen", "--out", dir.toString());
    assertEquals(1, toDir.exitCode());
    assertTrue(toDir.err().startsWith("chorus keygen: ") && toDir.err().contains("is a directory"), toDir.err());
  }

  @Test
  void publishRepublishAndAnUnreadableFile() throws Exception {
    TestAudio.ffprobe();
    Path in = Files.createDirectories(dir.resolve("music"));
    Path opus = TestAudio.tone(in, "one.opus", "libopus", 440, 5, "title=One", "artist=Band", "album=LP");
    Path vorbis = TestAudio.tone(in, "two.ogg", "libvorbis", 550, 3, "title=Two");
    Path broken = Files.writeString(in.resolve("broken.mp3"), "this is not an mp3\n");
    Path key = keygen();
    Path out = dir.resolve("catalog");

    Run first = chorus("publish", "--key", key.toString(), "--in", in.toString(), "--out", out.toString());
    assertEquals(2, first.exitCode(), first.err());
    assertTrue(first.err().contains("chorus publish: " + broken + ": not an audio file ffprobe can read"), first.err());
    assertTrue(first.err().contains("published 2 tracks") && first.err().contains("1 file failed"), first.err());
    assertFalse(first.err().contains("Exception"), first.err());
    Map<Path, String> ids = ids(first.out());
    assertEquals(2, ids.size(), first.out());
    Map<Path, byte[]> manifests = new HashMap<>();
    for (Map.Entry<Path, String> e : ids.entrySet()) {
      manifests.put(e.getKey(), Files.readAllBytes(out.resolve("manifests").resolve(e.getValue())));
    }
    byte[] index = Files.readAllBytes(out.resolve("index.json"));
    List<CatalogEntry> entries = CatalogIndex.read(out).entries();
    assertEquals(2, entries.size());
    CatalogEntry one = entries.stream().filter(e -> e.sourceFile().equals("one.opus")).findFirst().orElseThrow();
    assertEquals(ids.get(opus), one.trackId());
    assertEquals("One", one.title());
    assertEquals("Band", one.artist());
    assertEquals("LP", one.album());
    assertEquals("audio/ogg; codecs=opus", one.mimeType());
    assertTrue(Math.abs(one.durationMillis() - 5000) < 100, "duration " + one.durationMillis());
    assertEquals(Files.size(opus), one.sizeBytes());

    // Again, file by file, into the same catalog: the same ids and the same bytes.
    Run second = chorus("publish", "--key", key.toString(), "--in", vorbis.toString(), opus.toString(),
        "--out", out.toString());
    assertEquals(0, second.exitCode(), second.err());
    assertEquals(ids, ids(second.out()));
    for (Map.Entry<Path, String> e : ids.entrySet()) {
      assertArrayEquals(manifests.get(e.getKey()), Files.readAllBytes(out.resolve("manifests").resolve(e.getValue())));
    }
    assertArrayEquals(index, Files.readAllBytes(out.resolve("index.json")));
    try (Stream<Path> audio = Files.walk(out.resolve("audio"))) {
      assertEquals(2, audio.filter(Files::isRegularFile).count());
    }
  }

  @Test
  void publishErrorsAreOneLineWithoutStackTraces() throws Exception {
    Path key = keygen();
    Path audio = Files.writeString(dir.resolve("a.opus"), "x");
    Run noKey = chorus("publish", "--key", dir.resolve("nope.key").toString(), "--in", audio.toString(),
        "--out", dir.resolve("c").toString());
    assertEquals(1, noKey.exitCode());
    assertTrue(noKey.err().contains("chorus keygen --out"), noKey.err());
    assertEquals(1, noKey.err().lines().count(), noKey.err());

    Run noFfprobe = chorus("publish", "--key", key.toString(), "--in", audio.toString(),
        "--out", dir.resolve("c").toString(), "--ffprobe", dir.resolve("no-such-ffprobe").toString());
    assertEquals(1, noFfprobe.exitCode());
    assertTrue(noFfprobe.err().contains("apt-get install ffmpeg"), noFfprobe.err());
    assertEquals(1, noFfprobe.err().lines().count(), noFfprobe.err());

    TestAudio.ffprobe();
    Run nothing = chorus("publish", "--key", key.toString(), "--in", Files.createDirectories(dir.resolve("empty")).toString(),
        "--out", dir.resolve("c").toString());
    assertEquals(1, nothing.exitCode());
    assertTrue(nothing.err().contains("no audio files found"), nothing.err());

    Run onlyBad = chorus("publish", "--key", key.toString(), "--in", audio.toString(), dir.resolve("gone.mp3").toString(),
        "--out", dir.resolve("c").toString());
    assertEquals(2, onlyBad.exitCode());
    assertTrue(onlyBad.err().contains(dir.resolve("gone.mp3") + ": no such file or folder"), onlyBad.err());
    assertFalse(Files.exists(dir.resolve("c/index.json")));
  }

  @Test
  void publishToABucketThenAgainUploadsNothing() throws Exception {
    Path song = TestAudio.tone(dir, "song.opus", "libopus", 440, 3, "title=Song");
    Path key = keygen();
    try (S3TestServer s3 = S3TestServer.start()) {
      s3.createBucket("music");
      String[] args = {"publish", "--key", key.toString(), "--in", song.toString(), "--out", "s3://music/catalog",
          "--s3-endpoint", s3.endpoint().toString()};
      Run noCredentials = withAwsCredentials(null, null, () -> chorus(args));
      assertEquals(1, noCredentials.exitCode());
      assertTrue(noCredentials.err().contains("no AWS credentials for S3: set AWS_ACCESS_KEY_ID"), noCredentials.err());
      assertEquals(1, noCredentials.err().lines().count(), noCredentials.err());

      Run first = withAwsCredentials(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY, () -> chorus(args));
      assertEquals(0, first.exitCode(), first.err());
      assertTrue(first.err().contains("published 1 track to s3://music/catalog/")
          && first.err().contains("3 objects written, 0 already there"), first.err());
      int writes = s3.writes();
      Run again = withAwsCredentials(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY, () -> chorus(args));
      assertEquals(0, again.exitCode(), again.err());
      assertEquals(first.out(), again.out());
      assertTrue(again.err().contains("0 objects written, 3 already there"), again.err());
      assertEquals(writes, s3.writes());

      String[] missing = args.clone();
      missing[6] = "s3://no-such-bucket/catalog";
      Run noBucket = withAwsCredentials(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY, () -> chorus(missing));
      assertEquals(1, noBucket.exitCode());
      assertTrue(noBucket.err().contains("bucket 'no-such-bucket' does not exist"), noBucket.err());
    }
  }

  /**
   * Runs {@code r} with the AWS credentials the SDK's default chain takes from system properties
   * (the CLI has no credentials flag, on purpose); null clears them. Test classes run one at a
   * time in this JVM, so the properties are restored before anything else can read them.
   */
  private static Run withAwsCredentials(String accessKey, String secretKey, java.util.function.Supplier<Run> r) {
    String oldKey = System.getProperty("aws.accessKeyId");
    String oldSecret = System.getProperty("aws.secretAccessKey");
    String oldFile = System.getProperty("aws.sharedCredentialsFile");
    set("aws.accessKeyId", accessKey);
    set("aws.secretAccessKey", secretKey);
    // No profile file either: the "no credentials" case must not find the machine's own.
    System.setProperty("aws.sharedCredentialsFile", "/nonexistent/chorus-test-credentials");
    try {
      return r.get();
    } finally {
      set("aws.accessKeyId", oldKey);
      set("aws.secretAccessKey", oldSecret);
      set("aws.sharedCredentialsFile", oldFile);
    }
  }

  private static void set(String property, String value) {
    if (value == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, value);
    }
  }

  @Test
  void originServesAPublishedCatalogUntilStopped() throws Exception {
    TestAudio.ffprobe();
    Path song = TestAudio.tone(dir, "song.opus", "libopus", 440, 3, "title=Song");
    Path key = keygen();
    Path catalog = dir.resolve("catalog");
    Run published = chorus("publish", "--key", key.toString(), "--in", song.toString(), "--out", catalog.toString());
    assertEquals(0, published.exitCode(), published.err());
    String id = ids(published.out()).get(song);

    OriginCommand command = new OriginCommand();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<Integer> exit = new ArrayList<>();
    Thread thread = new Thread(() -> exit.add(Cli.commandLine(command, new PrintWriter(out, true), new PrintWriter(err, true))
        .execute("--root", catalog.toString(), "--port", "0")));
    thread.start();
    OriginServer server = command.started.get(10, TimeUnit.SECONDS);
    assertTrue(out.toString().contains("at " + server.baseUri()), out.toString());
    try (OriginClient client = OriginClient.create(OriginConfig.builder().addBaseUri(server.baseUri()).build())) {
      TrackManifest m = client.fetchManifest(TrackId.fromHex(id)).get();
      List<byte[]> chunks = client.fetchChunks(m, 0, m.chunkCount()).get();
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
      for (byte[] c : chunks) {
        all.write(c);
      }
      assertArrayEquals(Files.readAllBytes(song), all.toByteArray());
    }
    HttpResponse<String> index = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(server.baseUri().resolve("index.json")).build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(index.body().contains("\"title\" : \"Song\""), index.body());
    command.stop.countDown();
    thread.join(10_000);
    assertEquals(List.of(0), exit);
  }

  @Test
  void originErrors() throws Exception {
    Run missing = chorus("origin", "--root", dir.resolve("nope").toString(), "--port", "0");
    assertEquals(1, missing.exitCode());
    assertTrue(missing.err().startsWith("chorus origin: ") && missing.err().contains("does not exist"), missing.err());
    Run badPort = chorus("origin", "--root", dir.toString(), "--port", "99999");
    assertEquals(2, badPort.exitCode());
    assertTrue(badPort.err().contains("port"), badPort.err());
    try (OriginServer busy = OriginServer.start(dev.chorus.node.internal.originserver.OriginServerConfig.builder().root(dir).build())) {
      Run inUse = chorus("origin", "--root", dir.toString(), "--port", String.valueOf(busy.port()));
      assertEquals(1, inUse.exitCode());
      assertTrue(inUse.err().contains("cannot listen on 127.0.0.1:" + busy.port()), inUse.err());
      assertEquals(1, inUse.err().lines().count(), inUse.err());
    }
  }

  /** "<id>  <file>" lines → file → id. */
  private static Map<Path, String> ids(String stdout) {
    Map<Path, String> ids = new HashMap<>();
    stdout.lines().forEach(l -> {
      String[] parts = l.split("  ", 2);
      assertEquals(64, parts[0].length(), l);
      ids.put(Path.of(parts[1]), parts[0]);
    });
    return ids;
  }
}
