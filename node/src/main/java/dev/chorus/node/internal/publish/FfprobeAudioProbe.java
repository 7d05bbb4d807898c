package dev.chorus.node.internal.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link AudioProbe} that runs {@code ffprobe -v error -print_format json -show_format
 * -show_streams} (Debian package {@code ffmpeg}) and reads its JSON.
 *
 * <p>Supported: Ogg Opus ({@code audio/ogg; codecs=opus}, {@code .opus}), Ogg Vorbis ({@code
 * audio/ogg; codecs=vorbis}, {@code .ogg}), MP3 ({@code audio/mpeg}, {@code .mp3}) and FLAC
 * ({@code audio/flac}, {@code .flac}), decided from the container and the first audio stream's
 * codec, never from the file name. Title, artist and album come from the container's tags, else
 * the audio stream's (Ogg keeps Vorbis comments there), keys compared case-insensitively. The
 * bitrate is ffprobe's, else size × 8 ÷ duration.
 *
 * <p>ffprobe may only open the file itself ({@code -protocol_whitelist file}), so a playlist posing
 * as audio cannot make it fetch URLs; it gets {@link #timeout()} per file and at most 4 MiB of
 * output.
 */
public final class FfprobeAudioProbe implements AudioProbe {
  /** The Debian package that has ffprobe. */
  public static final String DEBIAN_PACKAGE = "ffmpeg";
  private static final int MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
  private static final int MAX_ERROR_BYTES = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Longest duration text read; ffprobe's are like "12.500000". */
  private static final int MAX_SECONDS_CHARS = 64;
  private static final BigDecimal ONE_MILLISECOND = new BigDecimal("0.001");

  private final String executable;
  private final Duration timeout;

  private FfprobeAudioProbe(String executable, Duration timeout) {
    this.executable = executable;
    this.timeout = timeout;
  }

  /** Runs {@code executable} (a path, or a name looked up on PATH), 60 s per file at most. */
  public static FfprobeAudioProbe create(String executable) {
    return create(executable, Duration.ofSeconds(60));
  }

  /** Runs {@code executable}, {@code timeout} per file at most. */
  public static FfprobeAudioProbe create(String executable, Duration timeout) {
    Objects.requireNonNull(executable, "executable");
    Objects.requireNonNull(timeout, "timeout");
    if (executable.isBlank()) {
      throw new IllegalArgumentException("the ffprobe executable is empty");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return new FfprobeAudioProbe(executable, timeout);
  }

  public Duration timeout() {
    return timeout;
  }

  /**
   * Runs {@code ffprobe -version}, so that a missing ffprobe is reported once, before any file.
   *
   * @throws ToolMissingException if it cannot be run, with the package to install
   */
  public void checkAvailable() throws ToolMissingException {
    try {
      Run run = run(List.of(executable, "-v", "error", "-version"));
      if (run.exitCode != 0) {
        throw new ToolMissingException(executable + " -version failed (exit code " + run.exitCode
            + "); is it ffprobe? Install it with: apt-get install " + DEBIAN_PACKAGE, null);
      }
    } catch (ToolMissingException e) {
      throw e;
    } catch (IOException | TimeoutException e) {
      throw missing(e);
    }
  }

  @Override
  public AudioInfo probe(Path file) throws AudioProbeException {
    Path absolute = file.toAbsolutePath();
    if (!Files.isRegularFile(absolute)) {
      throw new AudioProbeException(Files.exists(absolute) ? "not a regular file" : "no such file");
    }
    if (!Files.isReadable(absolute)) {
      throw new AudioProbeException("not readable (permission denied)");
    }
    long size;
    try {
      size = Files.size(absolute);
    } catch (IOException e) {
      throw new AudioProbeException("cannot read its size: " + e.getMessage(), e);
    }
    if (size == 0) {
      throw new AudioProbeException("the file is empty");
    }
    Run run;
    try {
      // An absolute path never starts with '-' (an option) nor names a protocol ("http:...").
      run = run(List.of(executable, "-v", "error", "-protocol_whitelist", "file",
          "-print_format", "json", "-show_format", "-show_streams", absolute.toString()));
    } catch (TimeoutException e) {
      throw new AudioProbeException("ffprobe did not finish within " + timeout.toSeconds() + " s");
    } catch (IOException e) {
      throw new AudioProbeException("ffprobe failed: " + e.getMessage(), e);
    }
    if (run.exitCode != 0) {
      throw new AudioProbeException("not an audio file ffprobe can read: " + lastLine(run.stderr, absolute));
    }
    return parse(run.stdout, size);
  }

  /** Reads ffprobe's standard output ({@code -print_format json}) for a file of {@code sizeBytes}. */
  static AudioInfo parse(byte[] stdout, long sizeBytes) throws AudioProbeException {
    JsonNode root;
    try {
      root = JSON.readTree(stdout);
    } catch (IOException e) {
      throw new AudioProbeException("ffprobe's output is not JSON: " + e.getMessage(), e);
    }
    return parse(root, sizeBytes);
  }

  /** Reads ffprobe's JSON ({@code -show_format -show_streams}) of a file of {@code sizeBytes}. */
  static AudioInfo parse(JsonNode root, long sizeBytes) throws AudioProbeException {
    JsonNode format = root.path("format");
    JsonNode audio = null;
    for (JsonNode stream : root.path("streams")) {
      if ("audio".equals(stream.path("codec_type").asText())) {
        audio = stream;
        break;
      }
    }
    if (audio == null) {
      throw new AudioProbeException("no audio stream (format " + text(format, "format_name", "unknown") + ")");
    }
    String container = text(format, "format_name", "");
    String codec = text(audio, "codec_name", "");
    String[] mimeAndExtension = mimeType(container, codec);
    if (mimeAndExtension == null) {
      throw new AudioProbeException("unsupported format: " + codec + " in " + container
          + " (Chorus publishes Ogg Opus, Ogg Vorbis, MP3 and FLAC)");
    }
    long durationMillis = millis(format.path("duration"));
    if (durationMillis <= 0) {
      durationMillis = millis(audio.path("duration"));
    }
    if (durationMillis <= 0) {
      throw new AudioProbeException("ffprobe found no duration");
    }
    long bitRate = positiveLong(format.path("bit_rate"));
    if (bitRate <= 0) {
      bitRate = positiveLong(audio.path("bit_rate"));
    }
    if (bitRate <= 0) {
      bitRate = BigDecimal.valueOf(sizeBytes).multiply(BigDecimal.valueOf(8000))
          .divide(BigDecimal.valueOf(durationMillis), 0, RoundingMode.HALF_UP).longValue();
    }
    int bitsPerSecond = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bitRate));
    return new AudioInfo(mimeAndExtension[0], mimeAndExtension[1], durationMillis, bitsPerSecond,
        tag(format, audio, "title"), tag(format, audio, "artist"), tag(format, audio, "album"));
  }

  /** {MIME type, extension}, or null when unsupported. */
  private static String[] mimeType(String container, String codec) {
    List<String> formats = List.of(container.toLowerCase(Locale.ROOT).split(","));
    if (formats.contains("ogg")) {
      switch (codec) {
        case "opus":
          return new String[] {"audio/ogg; codecs=opus", "opus"};
        case "vorbis":
          return new String[] {"audio/ogg; codecs=vorbis", "ogg"};
        default:
          return null;
      }
    }
    if (formats.contains("mp3") && "mp3".equals(codec)) {
      return new String[] {"audio/mpeg", "mp3"};
    }
    if (formats.contains("flac") && "flac".equals(codec)) {
      return new String[] {"audio/flac", "flac"};
    }
    return null;
  }

  private static String tag(JsonNode format, JsonNode stream, String name) {
    String v = tag(format.path("tags"), name);
    return v != null ? v : tag(stream.path("tags"), name);
  }

  private static String tag(JsonNode tags, String name) {
    for (Map.Entry<String, JsonNode> e : tags.properties()) {
      if (e.getKey().equalsIgnoreCase(name) && e.getValue().isValueNode()) {
        String v = e.getValue().asText().strip();
        if (!v.isEmpty()) {
          return v;
        }
      }
    }
    return null;
  }

  private static String text(JsonNode node, String field, String absent) {
    JsonNode v = node.path(field);
    return v.isValueNode() ? v.asText() : absent;
  }

  /** Seconds (ffprobe writes them as a decimal string) to milliseconds, or -1. */
  private static long millis(JsonNode seconds) {
    if (!seconds.isValueNode()) {
      return -1;
    }
    String text = seconds.asText().trim();
    // Rounding costs a power of ten of the number's scale: "1e-99999999" (10 characters) would
    // take minutes. ffprobe writes "12.500000"; a long text or a value under a millisecond (which
    // rounds to the 1 ms floor anyway) never reaches setScale.
    if (text.length() > MAX_SECONDS_CHARS) {
      return -1;
    }
    try {
      BigDecimal s = new BigDecimal(text);
      if (s.signum() <= 0 || s.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1000)) > 0) {
        return -1;
      }
      if (s.compareTo(ONE_MILLISECOND) < 0) {
        return 1;
      }
      return Math.max(1, s.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact());
    } catch (NumberFormatException | ArithmeticException e) {
      return -1;
    }
  }

  private static long positiveLong(JsonNode value) {
    if (!value.isValueNode()) {
      return -1;
    }
    try {
      long v = Long.parseLong(value.asText().trim());
      return v > 0 ? v : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** ffprobe's last error line, without the path it starts with. */
  private static String lastLine(byte[] stderr, Path file) {
    String text = new String(stderr, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      return "ffprobe failed without a message";
    }
    String last = text.substring(text.lastIndexOf('\n') + 1).strip();
    String prefix = file + ": ";
    return last.startsWith(prefix) ? last.substring(prefix.length()) : last;
  }

  private ToolMissingException missing(Exception e) {
    return new ToolMissingException("cannot run " + executable + " (" + e.getMessage()
        + "); the publisher needs ffprobe: install it with apt-get install " + DEBIAN_PACKAGE
        + ", or give its path with --ffprobe", e);
  }

  private record Run(int exitCode, byte[] stdout, byte[] stderr) {}

  /**
   * Runs {@code command} with its output in temporary files (no reader threads, no pipe that can
   * fill up), killing it after {@link #timeout}.
   */
  private Run run(List<String> command) throws IOException, TimeoutException {
    Path out = Files.createTempFile("chorus-ffprobe-", ".json");
    Path err = Files.createTempFile("chorus-ffprobe-", ".err");
    try {
      Process process;
      try {
        process = new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
      } catch (IOException e) {
        throw missing(e);
      }
      try {
        process.getOutputStream().close(); // nothing on its stdin
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new TimeoutException();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } finally {
        process.destroyForcibly();
      }
      return new Run(process.exitValue(), readBounded(out, MAX_OUTPUT_BYTES), readBounded(err, MAX_ERROR_BYTES));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static byte[] readBounded(Path file, int max) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(max);
    }
  }

  @Override
  public String toString() {
    return "FfprobeAudioProbe[" + executable + "]";
  }
}
