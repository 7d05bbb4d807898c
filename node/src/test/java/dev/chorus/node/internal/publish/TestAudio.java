package dev.chorus.node.internal.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.testing.ExternalTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real audio files made by ffmpeg for tests (skipped without ffmpeg, failed with CI=true). */
public final class TestAudio {
  private TestAudio() {}

  /** ffprobe's path, or the test is skipped/failed. */
  public static Path ffprobe() {
    return ExternalTool.require("ffprobe", FfprobeAudioProbe.DEBIAN_PACKAGE);
  }

  /**
   * Encodes {@code seconds} of a sine tone at {@code frequency} Hz with {@code codec} (libopus,
   * libvorbis, libmp3lame, flac) into {@code dir/name}, with {@code tags} as key=value pairs.
   */
  public static Path tone(Path dir, String name, String codec, int frequency, int seconds, String... tags)
      throws IOException, InterruptedException {
    Path ffmpeg = ExternalTool.require("ffmpeg", "ffmpeg");
    Path out = dir.resolve(name);
    List<String> cmd = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner",
        "-loglevel", "error", "-y", "-f", "lavfi", "-i",
        "sine=frequency=" + frequency + ":duration=" + seconds, "-c:a", codec,
        "-fflags", "+bitexact", "-flags:a", "+bitexact"));
    for (String tag : tags) {
      cmd.add("-metadata");
      cmd.add(tag);
    }
    cmd.add(out.toString());
    Path log = Files.createTempFile(dir, "ffmpeg", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("ffmpeg took more than 60 s");
    }
    assertEquals(0, p.exitValue(), () -> "ffmpeg failed: " + read(log));
    Files.delete(log);
    return out;
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
