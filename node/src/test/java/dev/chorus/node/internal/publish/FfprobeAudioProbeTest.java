package dev.chorus.node.internal.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FfprobeAudioProbeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private static AudioInfo parse(String json, long size) throws Exception {
    return FfprobeAudioProbe.parse(JSON.readTree(json.replace('\'', '"')), size);
  }

  @Test
  void oggOpusWithStreamTagsInAnyCase() throws Exception {
    AudioInfo info = parse("{'streams':[{'codec_type':'audio','codec_name':'opus','tags':"
        + "{'TITLE':'Song','Artist':'Band','album':'  ','encoder':'x'}}],"
        + "'format':{'format_name':'ogg','duration':'5.006500','bit_rate':'75514'}}", 47_000);
    assertEquals(new AudioInfo("audio/ogg; codecs=opus", "opus", 5007, 75514, "Song", "Band", null), info);
  }

  @Test
  void formatTagsWinAndBitrateFallsBackToSizeOverDuration() throws Exception {
    AudioInfo info = parse("{'streams':[{'codec_type':'video','codec_name':'mjpeg'},"
        + "{'codec_type':'audio','codec_name':'mp3','tags':{'title':'stream'}}],"
        + "'format':{'format_name':'mp3','duration':'2.000','tags':{'title':'format'}}}", 32_000);
    assertEquals(new AudioInfo("audio/mpeg", "mp3", 2000, 128_000, "format", null, null), info);
  }

  @Test
  void vorbisAndFlac() throws Exception {
    assertEquals("audio/ogg; codecs=vorbis", parse("{'streams':[{'codec_type':'audio','codec_name':'vorbis'}],"
        + "'format':{'format_name':'ogg','duration':'1'}}", 100).mimeType());
    AudioInfo flac = parse("{'streams':[{'codec_type':'audio','codec_name':'flac','duration':'3.5'}],"
        + "'format':{'format_name':'flac'}}", 100);
    assertEquals("audio/flac", flac.mimeType());
    assertEquals("flac", flac.extension());
    assertEquals(3500, flac.durationMillis());
  }

  @Test
  void unsupportedAndNonAudio() {
    AudioProbeException aac = assertThrows(AudioProbeException.class, () -> parse(
        "{'streams':[{'codec_type':'audio','codec_name':'aac'}],'format':{'format_name':'mov,mp4,m4a,3gp,3g2,mj2','duration':'1'}}", 10));
    assertTrue(aac.getMessage().startsWith("unsupported format: aac"), aac.getMessage());
    assertThrows(AudioProbeException.class, () -> parse(
        "{'streams':[{'codec_type':'audio','codec_name':'flac'}],'format':{'format_name':'ogg','duration':'1'}}", 10));
    AudioProbeException image = assertThrows(AudioProbeException.class, () -> parse(
        "{'streams':[{'codec_type':'video','codec_name':'png'}],'format':{'format_name':'png_pipe'}}", 10));
    assertTrue(image.getMessage().startsWith("no audio stream"), image.getMessage());
    AudioProbeException noDuration = assertThrows(AudioProbeException.class, () -> parse(
        "{'streams':[{'codec_type':'audio','codec_name':'mp3'}],'format':{'format_name':'mp3','duration':'N/A'}}", 10));
    assertEquals("ffprobe found no duration", noDuration.getMessage());
  }

  /** Found by FfprobeOutputFuzzTest: a tiny exponent made rounding compute 10^99999999. */
  @Test
  void durationsWithExtremeScalesAreReadWithoutRoundingThem() throws Exception {
    String vorbis = "{'streams':[{'codec_type':'audio','codec_name':'vorbis'}],'format':{'format_name':'ogg',"
        + "'duration':'%s'}}";
    assertEquals(1, parse(vorbis.formatted("1e-99999999"), 10).durationMillis());
    assertEquals(1, parse(vorbis.formatted("0.0004"), 10).durationMillis());
    assertEquals(12_500, parse(vorbis.formatted("12.500000"), 10).durationMillis());
    AudioProbeException tooLong = assertThrows(AudioProbeException.class,
        () -> parse(vorbis.formatted("1." + "0".repeat(100)), 10));
    assertEquals("ffprobe found no duration", tooLong.getMessage());
  }

  @Test
  void missingFfprobeNamesThePackage() {
    FfprobeAudioProbe probe = FfprobeAudioProbe.create(dir.resolve("no-ffprobe").toString());
    ToolMissingException e = assertThrows(ToolMissingException.class, probe::checkAvailable);
    assertTrue(e.getMessage().contains("apt-get install ffmpeg"), e.getMessage());
  }

  @Test
  void realFiles() throws Exception {
    FfprobeAudioProbe probe = FfprobeAudioProbe.create(TestAudio.ffprobe().toString());
    probe.checkAvailable();
    AudioInfo opus = probe.probe(TestAudio.tone(dir, "a.opus", "libopus", 440, 2,
        "title=Sine A", "artist=Test Artist", "album=Tones"));
    assertEquals("audio/ogg; codecs=opus", opus.mimeType());
    assertEquals("Sine A", opus.title());
    assertEquals("Test Artist", opus.artist());
    assertEquals("Tones", opus.album());
    assertTrue(Math.abs(opus.durationMillis() - 2000) < 100, "duration " + opus.durationMillis());
    AudioInfo vorbis = probe.probe(TestAudio.tone(dir, "v.ogg", "libvorbis", 440, 2, "title=Sine V"));
    assertEquals("audio/ogg; codecs=vorbis", vorbis.mimeType());
    assertEquals("Sine V", vorbis.title());
    assertNull(vorbis.artist());
    AudioInfo mp3 = probe.probe(TestAudio.tone(dir, "m.mp3", "libmp3lame", 440, 2, "artist=MP"));
    assertEquals("audio/mpeg", mp3.mimeType());
    assertEquals("MP", mp3.artist());
    assertEquals("audio/flac", probe.probe(TestAudio.tone(dir, "f.flac", "flac", 440, 1)).mimeType());

    Path text = Files.writeString(dir.resolve("notes.txt"), "not audio at all\n");
    AudioProbeException e = assertThrows(AudioProbeException.class, () -> probe.probe(text));
    assertTrue(e.getMessage().contains("Invalid data"), e.getMessage());
    assertEquals("the file is empty", assertThrows(AudioProbeException.class,
        () -> probe.probe(Files.createFile(dir.resolve("empty.opus")))).getMessage());
    assertEquals("no such file", assertThrows(AudioProbeException.class,
        () -> probe.probe(dir.resolve("missing.opus"))).getMessage());
    AudioProbeException wav = assertThrows(AudioProbeException.class,
        () -> probe.probe(TestAudio.tone(dir, "w.wav", "pcm_s16le", 440, 1)));
    assertTrue(wav.getMessage().startsWith("unsupported format: pcm_s16le in wav"), wav.getMessage());
  }
}
