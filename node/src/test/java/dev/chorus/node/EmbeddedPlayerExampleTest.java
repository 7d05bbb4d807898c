package dev.chorus.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.chorus.node.examples.EmbeddedPlayerExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding example runs and plays a track correctly. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedPlayerExampleTest {
  @TempDir Path dir;

  @Test
  void theReadmeExamplePlaysATrack() throws Exception {
    try (LocalSwarm swarm = new LocalSwarm(dir, 1, 300_000)) {
      LocalSwarm.Track track = swarm.tracks.get(0);
      Path out = dir.resolve("played.opus");
      EmbeddedPlayerExample.main(new String[] {swarm.nginx.baseUri().toString(), swarm.trackerSpec(),
          track.id().toHex(), out.toString(), dir.resolve("cache").toString()});
      assertArrayEquals(track.content(), Files.readAllBytes(out));
    }
  }
}
