package dev.chorus.demo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Synthesises the demo's tracks: real WAV files (PCM, 16-bit, mono, {@value #SAMPLE_RATE} Hz, so
 * {@value #BITS_PER_SECOND} bit/s) that any player plays, each a different little tune. Everything
 * follows from the seed: the key, the scale, the tempo, the timbre and the notes; the same
 * (seed, track number) gives the same bytes, hence the same track id.
 */
final class DemoAudio {
  static final int SAMPLE_RATE = 16_000;
  static final int BITS_PER_SECOND = SAMPLE_RATE * 16;
  private static final int HEADER_BYTES = 44;
  private static final double[][] SCALES = {
    {0, 2, 4, 7, 9, 12, 14, 16}, // major pentatonic
    {0, 3, 5, 7, 10, 12, 15, 17}, // minor pentatonic
    {0, 2, 4, 5, 7, 9, 11, 12}, // major
    {0, 2, 3, 5, 7, 8, 10, 12}, // natural minor
  };

  private DemoAudio() {}

  /** A track of the given length, in bytes of a complete WAV file. */
  static byte[] track(long seed, int number, int durationMillis) {
    if (durationMillis < 1000) {
      throw new IllegalArgumentException("durationMillis must be at least 1000, was " + durationMillis);
    }
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + number);
    int samples = (int) ((long) durationMillis * SAMPLE_RATE / 1000);
    double[] signal = new double[samples];
    double baseHz = 196.0 * Math.pow(2, random.nextInt(12) / 12.0); // G3 .. F#4
    double[] scale = SCALES[random.nextInt(SCALES.length)];
    double beatSeconds = 60.0 / (84 + random.nextInt(70)); // 84..153 bpm
    int harmonics = 1 + random.nextInt(4);
    double decay = 2 + random.nextDouble() * 6; // per second

    // A four-bar phrase of eighth and quarter notes, repeated with a variation every other time.
    int phraseNotes = 16;
    int[] degrees = new int[phraseNotes];
    int[] lengths = new int[phraseNotes];
    int degree = random.nextInt(scale.length);
    for (int i = 0; i < phraseNotes; i++) {
      degree = Math.floorMod(degree + random.nextInt(5) - 2, scale.length);
      degrees[i] = degree;
      lengths[i] = random.nextInt(3) == 0 ? 2 : 1; // in eighths
    }
    int eighth = (int) (beatSeconds / 2 * SAMPLE_RATE);
    int at = 0;
    int phrase = 0;
    while (at < samples) {
      for (int i = 0; i < phraseNotes && at < samples; i++) {
        int d = degrees[i];
        if (phrase % 2 == 1 && i % 4 == 3) {
          d = Math.floorMod(d + 2, scale.length); // the variation
        }
        double hz = baseHz * Math.pow(2, scale[d] / 12.0);
        int length = lengths[i] * eighth;
        addNote(signal, at, length, hz, 0.30, harmonics, decay);
        if (i % 4 == 0) { // a bass note on every beat pair
          addNote(signal, at, 4 * eighth, baseHz / 2 * Math.pow(2, scale[(phrase % 2) * 3] / 12.0), 0.22, 2, 1.5);
        }
        at += length;
      }
      phrase++;
    }
    return wav(signal, "Chorus demo track " + number);
  }

  private static void addNote(double[] signal, int start, int length, double hz, double amplitude, int harmonics,
      double decayPerSecond) {
    int end = Math.min(signal.length, start + length);
    int attack = SAMPLE_RATE / 100; // 10 ms
    int release = SAMPLE_RATE / 50; // 20 ms, no clicks between notes
    double step = 2 * Math.PI * hz / SAMPLE_RATE;
    for (int i = start; i < end; i++) {
      int t = i - start;
      double envelope = Math.exp(-decayPerSecond * t / SAMPLE_RATE);
      if (t < attack) {
        envelope *= (double) t / attack;
      }
      if (end - i < release) {
        envelope *= (double) (end - i) / release;
      }
      double v = 0;
      for (int h = 1; h <= harmonics; h++) {
        v += Math.sin(step * h * t) / h;
      }
      signal[i] += amplitude * envelope * v;
    }
  }

  private static byte[] wav(double[] signal, String title) {
    byte[] name = (title + "\0").getBytes(StandardCharsets.US_ASCII);
    int namePadded = name.length + (name.length & 1);
    int listBytes = 4 + 8 + namePadded; // "INFO" + INAM chunk
    int dataBytes = signal.length * 2;
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 8 + listBytes + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put(ascii("RIFF")).putInt(4 + 24 + 8 + listBytes + 8 + dataBytes).put(ascii("WAVE"));
    b.put(ascii("fmt ")).putInt(16).putShort((short) 1).putShort((short) 1).putInt(SAMPLE_RATE)
        .putInt(SAMPLE_RATE * 2).putShort((short) 2).putShort((short) 16);
    b.put(ascii("LIST")).putInt(listBytes).put(ascii("INFO")).put(ascii("INAM")).putInt(name.length).put(name);
    if (namePadded != name.length) {
      b.put((byte) 0);
    }
    b.put(ascii("data")).putInt(dataBytes);
    int fade = Math.min(signal.length / 4, SAMPLE_RATE); // one second fade-out
    for (int i = 0; i < signal.length; i++) {
      double v = signal[i];
      int left = signal.length - i;
      if (left < fade) {
        v *= (double) left / fade;
      }
      v = Math.max(-1, Math.min(1, v));
      b.putShort((short) Math.round(v * 32000));
    }
    return b.array();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
