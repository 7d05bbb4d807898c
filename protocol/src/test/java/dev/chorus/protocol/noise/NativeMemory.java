package dev.chorus.protocol.noise;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/** Transport messages through {@link NoiseTransport#encryptNative}/{@code decryptNative}, on direct buffers. */
final class NativeMemory {
  private NativeMemory() {}

  static long address(ByteBuffer direct) {
    return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
  }

  static byte[] encrypt(NoiseTransport transport, byte[] plaintext) throws NoiseException {
    ByteBuffer in = ByteBuffer.allocateDirect(Math.max(1, plaintext.length));
    in.put(plaintext);
    ByteBuffer out = ByteBuffer.allocateDirect(plaintext.length + NoiseTransport.TAG_LENGTH);
    int written = transport.encryptNative(address(in), plaintext.length, address(out));
    byte[] ciphertext = new byte[written];
    out.get(0, ciphertext);
    return ciphertext;
  }

  static byte[] decrypt(NoiseTransport transport, byte[] ciphertext) throws NoiseException {
    ByteBuffer in = ByteBuffer.allocateDirect(Math.max(1, ciphertext.length));
    in.put(ciphertext);
    ByteBuffer out = ByteBuffer.allocateDirect(Math.max(1, ciphertext.length));
    int written = transport.decryptNative(address(in), ciphertext.length, address(out));
    byte[] plaintext = new byte[written];
    out.get(0, plaintext);
    return plaintext;
  }
}
