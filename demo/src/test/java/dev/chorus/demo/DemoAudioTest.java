package dev.chorus.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;

class DemoAudioTest {

  @Test
  void tracksAreWavFilesThatTheJdkDecodes() throws Exception {
    byte[] wav = DemoAudio.track(1, 3, 5_000);
    try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
      AudioFormat f = in.getFormat();
      assertEquals(AudioFormat.Encoding.PCM_SIGNED, f.getEncoding());
      assertEquals(DemoAudio.SAMPLE_RATE, f.getSampleRate());
      assertEquals(16, f.getSampleSizeInBits());
      assertEquals(1, f.getChannels());
      assertEquals(5L * DemoAudio.SAMPLE_RATE, in.getFrameLength());
      byte[] pcm = in.readAllBytes();
      assertEquals(5 * DemoAudio.SAMPLE_RATE * 2, pcm.length);
      int peak = 0;
      for (int i = 0; i < pcm.length; i += 2) {
        peak = Math.max(peak, Math.abs((short) ((pcm[i] & 0xff) | pcm[i + 1] << 8)));
      }
      assertTrue(peak > 3000, "audible, peak " + peak);
    }
  }

  @Test
  void sameSeedSameBytesOtherTrackOtherTune() {
    assertArrayEquals(DemoAudio.track(1, 2, 3_000), DemoAudio.track(1, 2, 3_000));
    assertFalse(Arrays.equals(DemoAudio.track(1, 2, 3_000), DemoAudio.track(1, 3, 3_000)));
    assertFalse(Arrays.equals(DemoAudio.track(1, 2, 3_000), DemoAudio.track(2, 2, 3_000)));
  }

  @Test
  void zipfFavoursTheFirstRanks() {
    Zipf zipf = new Zipf(20, 1.0);
    int[] counts = new int[20];
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 100_000; i++) {
      counts[zipf.sample(random)]++;
    }
    assertTrue(counts[0] > counts[1] && counts[1] > counts[5] && counts[5] > counts[19], Arrays.toString(counts));
    assertEquals(zipf.probability(0) * 100_000, counts[0], 1_000);
  }
}
