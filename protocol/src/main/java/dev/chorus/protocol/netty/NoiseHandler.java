package dev.chorus.protocol.netty;

import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.framing.FrameDecoder;
import dev.chorus.protocol.framing.FrameException;
import dev.chorus.protocol.framing.FrameFormat;
import dev.chorus.protocol.noise.NoiseException;
import dev.chorus.protocol.noise.NoiseHandshake;
import dev.chorus.protocol.noise.NoiseTransport;
import dev.chorus.protocol.wire.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import io.netty.util.concurrent.PromiseNotifier;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Thin Netty shell around the sans-IO Noise core: runs the XX handshake on channel activation,
 * then encrypts every outbound byte and decrypts every inbound one.
 *
 * <p>On the wire everything is a Noise record: a 2-byte big-endian length and at most 65535
 * bytes of Noise message ({@link FrameFormat#noiseRecords()}). Plaintext handed to {@link #write}
 * is cut into records of at most 65519 bytes (65535 minus the 16-byte tag); inbound records are
 * decrypted and passed on as plaintext {@link ByteBuf}s, which the frame decoder reassembles.
 *
 * <p>Writes between two flushes share records: a write joins the open record if the two stay
 * within {@link #MAX_SHARED_PLAINTEXT} bytes, else the open record is sealed (encrypted and passed
 * on) and the write starts the next one; a write larger than a record is cut as above. {@link
 * #flush} seals the open record. So a batch of small messages costs one AES-GCM setup and one record header, and a message that
 * fits in a record never spans two (the receiver's frame decoder need not copy it). At most one
 * record's worth of plaintext waits here; each write's promise completes with the record that
 * holds its bytes (all of them, for a write cut into several).
 *
 * <p>Writes issued before the handshake completes are queued and flushed after it. A failed
 * handshake (bad message, wrong pinned key, timeout, connection closed mid-way) fails {@link
 * #handshakeFuture()} with a {@link ProtocolException} and closes the channel without sending
 * anything more: nothing can be said securely before the keys exist. After the handshake, a record
 * that fails to decrypt (tampered, replayed, reordered) raises {@code DECRYPT_FAILED} through
 * {@code exceptionCaught}; the error handler at the tail answers with a Goodbye and closes.
 *
 * <p>Like Netty's SslHandler, it is a decoder that is also an outbound handler. Not sharable.
 */
public final class NoiseHandler extends ByteToMessageDecoder implements ChannelOutboundHandler {
  /** The authenticated remote identity, set on the channel once the handshake completes. */
  public static final AttributeKey<PeerIdentity> REMOTE_IDENTITY = AttributeKey.valueOf("chorus.remoteIdentity");

  private static final int TAG_BYTES = 16;
  private static final int MAX_PLAINTEXT_PER_RECORD = FrameFormat.NOISE_MAX_MESSAGE_BYTES - TAG_BYTES;
  /**
   * Writes share a record only while it stays within 32 KiB with its header and tag, the largest
   * buffer Netty's pooled allocator keeps in its per-thread cache (maxCachedBufferCapacity): a
   * record of three 16 KiB chunks (49 KB) saved two AES-GCM setups but took its buffers, and the
   * socket's direct copy, from the shared arena, and cost more allocation than it saved (bench/run
   * records, bench/README.md). So a tracker's replies share records; chunks go one per record.
   */
  static final int MAX_SHARED_PLAINTEXT = 32 * 1024 - 2 - TAG_BYTES;
  /**
   * Records up to this size go through libsodium where it is selected, larger ones through the
   * JDK. Per record libsodium 1.0.18 costs about the same CPU as the JDK at 100 bytes and more per
   * byte above it (bench/run aesgcm), while the JDK allocates ~1-2 KB per record whatever its size.
   * So only small records (a tracker's requests, keep-alives) take libsodium: with 4 KiB the
   * tracker's ~1 KB replies went native too and cost it more CPU per response than the garbage
   * saved (bench/compare, protocol/docs/noise.md).
   */
  static final int NATIVE_RECORD_MAX_BYTES = 256;
  /**
   * A socket read at least this large joins the unread bytes as a component instead of being
   * copied after them. Netty's default cumulation copies every read into the cumulation buffer
   * whenever a record is left incomplete at the end of the previous one, which on a busy
   * connection carrying 16 KiB chunks is nearly every read: one more copy of every byte received,
   * on top of the copy into the heap buffer the JDK's AES-GCM decrypts from (see decrypt). Small
   * reads (a tracker's requests) keep the contiguous buffer, which the native path decrypts in
   * place.
   */
  static final int COMPOSITE_READ_BYTES = 16 * 1024;
  /** Big reads appended without a copy, small ones copied (see {@link #COMPOSITE_READ_BYTES}). */
  static final Cumulator RECORD_CUMULATOR = (alloc, cumulation, in) ->
      cumulation instanceof CompositeByteBuf || (cumulation.isReadable() && in.readableBytes() >= COMPOSITE_READ_BYTES)
          ? COMPOSITE_CUMULATOR.cumulate(alloc, cumulation, in)
          : MERGE_CUMULATOR.cumulate(alloc, cumulation, in);

  private final SecureChannelConfig config;
  private final boolean initiator;
  private final FrameDecoder records = new FrameDecoder(FrameFormat.noiseRecords());
  private final SecureRandom random;

  private NoiseHandshake handshake;
  private NoiseTransport transport;
  /** Small records are encrypted in native memory by libsodium (direct buffers), not by the JDK (heap buffers). */
  private boolean nativeRecords;
  /** Plaintext written before the keys exist, with its promise; encrypted in order once they do. */
  private final ArrayDeque<PendingWrite> pendingWrites = new ArrayDeque<>();
  /** Plaintext written since the last seal, with the promises of its writes: the open record. */
  private final ArrayDeque<PendingWrite> openRecord = new ArrayDeque<>();
  private int openRecordBytes;
  private Promise<PeerIdentity> handshakePromise;
  private ScheduledFuture<?> handshakeTimeout;
  private boolean failed;

  public NoiseHandler(SecureChannelConfig config, boolean initiator) {
    this(config, initiator, new SecureRandom());
  }

  NoiseHandler(SecureChannelConfig config, boolean initiator, SecureRandom random) {
    this.config = config;
    this.initiator = initiator;
    this.random = random;
    setCumulator(RECORD_CUMULATOR);
  }

  /** Completes with the remote identity when the handshake succeeds, or fails with why not. */
  public Future<PeerIdentity> handshakeFuture() {
    return handshakePromise;
  }

  /** True once the handshake has completed and the channel is encrypted. */
  public boolean isEstablished() {
    return transport != null;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    handshakePromise = ctx.executor().newPromise();
    NoiseHandshake.Builder builder = NoiseHandshake.builder(config.protocolName(), initiator)
        .localStatic(config.localStatic())
        .prologue(SecureChannelConfig.PROLOGUE)
        .random(random);
    byte[] pinned = config.pinnedRemoteKey();
    if (pinned != null) {
      // In XX the remote static key arrives in a handshake message; the engine refuses any other
      // (AUTHENTICATION_FAILED) as soon as it reads it, before we reveal our own in message 3.
      builder.remoteStatic(pinned);
    }
    handshake = builder.build();
    if (ctx.channel().isActive()) {
      startHandshake(ctx);
    }
    super.handlerAdded(ctx);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    startHandshake(ctx);
    super.channelActive(ctx);
  }

  private void startHandshake(ChannelHandlerContext ctx) {
    if (handshakeTimeout != null || handshakePromise.isDone()) {
      return;
    }
    long timeoutNanos = config.handshakeTimeout().toNanos();
    handshakeTimeout = ctx.executor().schedule(
        () -> failHandshake(ctx, new ProtocolException(
            ErrorCode.HANDSHAKE_TIMEOUT, "handshake not complete after " + config.handshakeTimeout())),
        timeoutNanos, TimeUnit.NANOSECONDS);
    if (initiator) {
      writeHandshakeMessage(ctx);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    try {
      decodeRecords(ctx, in, out);
    } finally {
      if (in instanceof CompositeByteBuf) {
        // The reads already decrypted go back to the pool now rather than after 16 more reads
        // (ByteToMessageDecoder's discardAfterReads); nothing decoded refers to them.
        ((CompositeByteBuf) in).discardReadComponents();
      }
    }
  }

  private void decodeRecords(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    while (!failed && in.isReadable()) {
      int length = FrameDecoderHandler.nextFrameLength(records, in);
      if (length == FrameDecoder.NEED_MORE) {
        return;
      }
      in.skipBytes(FrameFormat.noiseRecords().headerBytes());
      if (nativeRecords && length <= NATIVE_RECORD_MAX_BYTES && in.hasMemoryAddress()) {
        // Straight from the cumulation buffer's memory: no slice object per record.
        long from = in.memoryAddress() + in.readerIndex();
        in.skipBytes(length);
        out.add(decryptNative(ctx, from, length));
        continue;
      }
      ByteBuf record = in.readSlice(length);
      if (transport == null) {
        readHandshakeMessage(ctx, record);
      } else {
        out.add(decrypt(ctx, record));
      }
    }
  }

  private void readHandshakeMessage(ChannelHandlerContext ctx, ByteBuf record) {
    byte[] message = new byte[record.readableBytes()];
    record.readBytes(message);
    try {
      handshake.readMessage(message);
      if (handshake.isComplete()) {
        completeHandshake(ctx);
      } else if (handshake.isMyTurnToWrite()) {
        writeHandshakeMessage(ctx); // completes the handshake too if this was its last message
      }
    } catch (NoiseException e) {
      failHandshake(ctx, e);
    }
  }

  private void writeHandshakeMessage(ChannelHandlerContext ctx) {
    try {
      byte[] message = handshake.writeMessage(new byte[0]);
      ByteBuf buf = ctx.alloc().buffer(2 + message.length);
      buf.writeShort(message.length).writeBytes(message);
      ctx.writeAndFlush(buf);
      if (handshake.isComplete()) {
        completeHandshake(ctx);
      }
    } catch (NoiseException e) {
      failHandshake(ctx, e);
    }
  }

  private void completeHandshake(ChannelHandlerContext ctx) {
    transport = handshake.split(config.rekeyIntervalMessages());
    // Direct buffers need their addresses, which Netty knows only with sun.misc.Unsafe.
    nativeRecords = transport.usesNativeMemory() && PlatformDependent.hasUnsafe();
    PeerIdentity remote = PeerIdentity.ofStaticKey(handshake.remoteStaticKey());
    handshake = null;
    cancelTimeout();
    ctx.channel().attr(REMOTE_IDENTITY).set(remote);
    handshakePromise.trySuccess(remote);
    ctx.fireUserEventTriggered(new NoiseHandshakeCompletionEvent(remote, config.protocolName()));
    writePending(ctx);
    flush(ctx);
  }

  private void failHandshake(ChannelHandlerContext ctx, ProtocolException cause) {
    if (failed || transport != null) {
      return;
    }
    failed = true;
    cancelTimeout();
    handshakePromise.tryFailure(cause);
    failPending(cause);
    ctx.fireExceptionCaught(cause);
    ctx.close();
  }

  private ByteBuf decrypt(ChannelHandlerContext ctx, ByteBuf record) throws ProtocolException {
    int recordLength = record.readableBytes();
    int plainLength = recordLength - TAG_BYTES;
    if (plainLength <= 0) {
      throw new NoiseException(ErrorCode.DECRYPT_FAILED, "record of " + recordLength + " bytes is shorter than a tag");
    }
    if (nativeRecords && recordLength <= NATIVE_RECORD_MAX_BYTES) {
      return decryptNative(ctx, record, recordLength);
    }
    // Heap buffers on both sides: the JDK's AES-GCM allocates a scratch array per call for direct
    // ones (GHASH.processBlocksDirect), which was a fifth of the tracker's garbage per response.
    ByteBuf source = record.hasArray() ? null : ctx.alloc().heapBuffer(recordLength);
    ByteBuf plain = ctx.alloc().heapBuffer(plainLength);
    try {
      ByteBuffer src;
      if (source == null) {
        src = record.nioBuffer();
      } else {
        source.writeBytes(record, record.readerIndex(), recordLength);
        src = source.internalNioBuffer(0, recordLength);
      }
      ByteBuffer dst = plain.internalNioBuffer(0, plainLength);
      transport.decrypt(src, dst);
      plain.writerIndex(plainLength);
      return plain;
    } catch (ProtocolException | RuntimeException e) {
      plain.release();
      throw e;
    } finally {
      if (source != null) {
        source.release();
      }
    }
  }

  /** libsodium's AES-GCM from the record's native memory into a direct buffer: nothing allocated on the heap. */
  private ByteBuf decryptNative(ChannelHandlerContext ctx, ByteBuf record, int recordLength) throws ProtocolException {
    if (record.hasMemoryAddress()) {
      return decryptNative(ctx, record.memoryAddress() + record.readerIndex(), recordLength);
    }
    ByteBuf source = ctx.alloc().directBuffer(recordLength);
    try {
      source.writeBytes(record, record.readerIndex(), recordLength);
      return decryptNative(ctx, nativeAddress(source), recordLength);
    } finally {
      source.release();
    }
  }

  /** The record of {@code recordLength} bytes at native address {@code from}, decrypted into a new direct buffer. */
  private ByteBuf decryptNative(ChannelHandlerContext ctx, long from, int recordLength) throws ProtocolException {
    int plainLength = recordLength - TAG_BYTES;
    if (plainLength <= 0) {
      throw new NoiseException(ErrorCode.DECRYPT_FAILED, "record of " + recordLength + " bytes is shorter than a tag");
    }
    ByteBuf plain = ctx.alloc().directBuffer(plainLength);
    try {
      transport.decryptNative(from, recordLength, nativeAddress(plain));
      plain.writerIndex(plainLength);
      return plain;
    } catch (ProtocolException | RuntimeException e) {
      plain.release();
      throw e;
    }
  }

  /** The address of {@code buf}'s first byte; direct buffers of Netty's allocators have one where it has Unsafe. */
  private static long nativeAddress(ByteBuf buf) {
    if (!buf.hasMemoryAddress()) {
      throw new IllegalStateException("a direct buffer without a memory address (" + buf.getClass().getName()
          + "); -Dchorus.noise.aesgcm=jdk avoids native memory");
    }
    return buf.memoryAddress();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (!(msg instanceof ByteBuf)) {
      sealOpenRecord(ctx); // keeps the order of writes
      ctx.write(msg, promise);
      return;
    }
    if (failed) {
      ReferenceCountUtil.release(msg);
      promise.tryFailure(new ProtocolException(ErrorCode.HANDSHAKE_FAILED, "the handshake failed"));
      return;
    }
    if (transport == null) {
      pendingWrites.add(new PendingWrite((ByteBuf) msg, promise));
      return;
    }
    addToRecords(ctx, (ByteBuf) msg, promise);
  }

  /** Takes {@code plain} into the open record, sealing records as they fill; releases it in the end. */
  private void addToRecords(ChannelHandlerContext ctx, ByteBuf plain, ChannelPromise promise) {
    int length = plain.readableBytes();
    if (length == 0) {
      // Nothing to encrypt (an empty record would not decrypt); passed on so that its promise
      // completes after those of the writes before it.
      sealOpenRecord(ctx);
      ctx.write(plain, promise);
      return;
    }
    // A loop, as a listener of a sealed record's promise may write again.
    while (!openRecord.isEmpty() && openRecordBytes + length > MAX_SHARED_PLAINTEXT) {
      sealOpenRecord(ctx);
    }
    if (length <= MAX_PLAINTEXT_PER_RECORD) {
      openRecord.add(new PendingWrite(plain, promise));
      openRecordBytes += length;
      return;
    }
    try {
      encryptAndWrite(ctx, plain, promise);
    } catch (ProtocolException e) {
      promise.tryFailure(e);
      ctx.fireExceptionCaught(e);
    } finally {
      plain.release();
    }
  }

  /** Encrypts the open record's plaintext as one record and passes it on; releases the plaintext. */
  private void sealOpenRecord(ChannelHandlerContext ctx) {
    if (openRecord.isEmpty()) {
      return;
    }
    int length = openRecordBytes;
    openRecordBytes = 0;
    ChannelPromise recordPromise = openRecord.size() == 1 ? openRecord.peek().promise : ctx.newPromise();
    if (openRecord.size() > 1) {
      ChannelPromise[] promises = new ChannelPromise[openRecord.size()];
      int i = 0;
      for (PendingWrite write : openRecord) {
        promises[i++] = write.promise;
      }
      recordPromise.addListener(new PromiseNotifier<Void, ChannelFuture>(false, promises));
    }
    ByteBuf record;
    try {
      record = encryptRecord(ctx, openRecord, length);
    } catch (ProtocolException | RuntimeException e) {
      recordPromise.tryFailure(e);
      ctx.fireExceptionCaught(e);
      return;
    } finally {
      PendingWrite write;
      while ((write = openRecord.poll()) != null) {
        write.plain.release();
      }
    }
    ctx.write(record, recordPromise);
  }

  private void writePending(ChannelHandlerContext ctx) {
    PendingWrite pending;
    while ((pending = pendingWrites.poll()) != null) {
      addToRecords(ctx, pending.plain, pending.promise);
    }
  }

  private static void fail(ArrayDeque<PendingWrite> writes, Throwable cause) {
    PendingWrite pending;
    while ((pending = writes.poll()) != null) {
      pending.plain.release();
      pending.promise.tryFailure(cause);
    }
  }

  private void failPending(Throwable cause) {
    fail(pendingWrites, cause);
  }

  private static final class PendingWrite {
    final ByteBuf plain;
    final ChannelPromise promise;

    PendingWrite(ByteBuf plain, ChannelPromise promise) {
      this.plain = plain;
      this.promise = promise;
    }
  }

  /** A write larger than one record, cut into full records (and a last shorter one). */
  private void encryptAndWrite(ChannelHandlerContext ctx, ByteBuf plain, ChannelPromise promise) throws ProtocolException {
    PromiseCombiner combiner = new PromiseCombiner(ctx.executor());
    while (plain.isReadable()) {
      int length = Math.min(plain.readableBytes(), MAX_PLAINTEXT_PER_RECORD);
      ByteBuf record = newRecord(ctx, length);
      record.writeBytes(plain, plain.readerIndex(), length);
      plain.skipBytes(length);
      combiner.add(ctx.write(encryptInPlace(record, length)));
    }
    combiner.finish(promise);
  }

  private ByteBuf encryptRecord(ChannelHandlerContext ctx, ArrayDeque<PendingWrite> writes, int length)
      throws ProtocolException {
    ByteBuf record = newRecord(ctx, length);
    ByteBuffer[] parts = isNativeRecord(length + TAG_BYTES) ? null : gatherable(writes, record);
    if (parts != null) {
      return encryptGathered(record, parts, length);
    }
    for (PendingWrite write : writes) {
      record.writeBytes(write.plain, write.plain.readerIndex(), write.plain.readableBytes());
    }
    return encryptInPlace(record, length);
  }

  /**
   * The open record's plaintext as parts the JDK's AES-GCM can read where they are, or null to
   * copy it into the record first. Only for a record holding a gathered message (a composite from
   * {@link MessageEncoderHandler}: a chunk's array referenced, not copied) whose parts are all on
   * heap arrays other than the record's (on the record's array the JDK would copy the part first).
   */
  private static ByteBuffer[] gatherable(ArrayDeque<PendingWrite> writes, ByteBuf record) {
    int count = 0;
    boolean gathered = false;
    for (PendingWrite write : writes) {
      gathered |= write.plain instanceof CompositeByteBuf;
      count += write.plain.nioBufferCount();
    }
    if (!gathered || !record.hasArray()) {
      return null;
    }
    ByteBuffer[] parts = new ByteBuffer[count];
    int i = 0;
    for (PendingWrite write : writes) {
      for (ByteBuffer part : write.plain.nioBuffers()) {
        if (i == count || !part.hasArray() || part.array() == record.array()) {
          return null;
        }
        parts[i++] = part;
      }
    }
    return i == count ? parts : null;
  }

  /** Encrypts {@code parts} ({@code length} bytes) into {@code record} after its header; releases the record if that fails. */
  private ByteBuf encryptGathered(ByteBuf record, ByteBuffer[] parts, int length) throws ProtocolException {
    int recordLength = length + TAG_BYTES;
    try {
      transport.encrypt(parts, record.internalNioBuffer(2, recordLength));
      record.writerIndex(2 + recordLength);
      return record;
    } catch (ProtocolException | RuntimeException e) {
      record.release();
      throw e;
    }
  }

  /**
   * A buffer for one record of {@code length} plaintext bytes, its header written: small ones
   * direct, for the native cipher (the socket then writes them without copying), others on the
   * heap (see decrypt).
   */
  private ByteBuf newRecord(ChannelHandlerContext ctx, int length) {
    int recordLength = length + TAG_BYTES;
    ByteBuf record = isNativeRecord(recordLength)
        ? ctx.alloc().directBuffer(2 + recordLength)
        : ctx.alloc().heapBuffer(2 + recordLength);
    return record.writeShort(recordLength);
  }

  private boolean isNativeRecord(int recordLength) {
    return nativeRecords && recordLength <= NATIVE_RECORD_MAX_BYTES;
  }

  /**
   * Encrypts the {@code length} plaintext bytes after the header of {@code record} where they
   * are; the JDK's AES-GCM would copy its input first if input and output were distinct regions
   * of one array (pooled heap buffers share their arena's) with the input first. Releases the
   * record if encryption fails.
   */
  private ByteBuf encryptInPlace(ByteBuf record, int length) throws ProtocolException {
    int recordLength = length + TAG_BYTES;
    try {
      if (isNativeRecord(recordLength)) {
        long at = nativeAddress(record) + 2;
        transport.encryptNative(at, length, at);
      } else {
        transport.encrypt(record.nioBuffer(2, length), record.internalNioBuffer(2, recordLength));
      }
      record.writerIndex(2 + recordLength);
      return record;
    } catch (ProtocolException | RuntimeException e) {
      record.release();
      throw e;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (transport == null && !failed) {
      failHandshake(ctx, new ProtocolException(ErrorCode.HANDSHAKE_FAILED, "connection closed during the handshake"));
    }
    super.channelInactive(ctx);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    cancelTimeout();
    // Exceptions only when someone is waiting: filling in their stack traces on every closed
    // connection was a tenth of a server's CPU time per accepted handshake.
    if (!pendingWrites.isEmpty() || !openRecord.isEmpty()) {
      ProtocolException removed = new ProtocolException(ErrorCode.INTERNAL_ERROR, "secure channel handler removed");
      failPending(removed);
      openRecordBytes = 0;
      fail(openRecord, removed);
    }
    if (handshakePromise != null && !handshakePromise.isDone()) {
      handshakePromise.tryFailure(new ProtocolException(ErrorCode.HANDSHAKE_FAILED, "secure channel handler removed"));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (transport == null && !failed) {
      // Undecodable bytes during the handshake, e.g. an oversized record header.
      ProtocolException error = cause.getCause() instanceof FrameException
          ? new ProtocolException(ErrorCode.HANDSHAKE_FAILED, cause.getCause().getMessage(), cause.getCause())
          : new ProtocolException(ErrorCode.HANDSHAKE_FAILED, String.valueOf(cause.getMessage()), cause);
      failHandshake(ctx, error);
      return;
    }
    super.exceptionCaught(ctx, cause);
  }

  private void cancelTimeout() {
    if (handshakeTimeout != null) {
      handshakeTimeout.cancel(false);
    }
  }

  // ChannelOutboundHandler plumbing: everything but write and flush passes through (closing seals
  // the open record first).

  @Override
  public void bind(ChannelHandlerContext ctx, SocketAddress localAddress, ChannelPromise promise) {
    ctx.bind(localAddress, promise);
  }

  @Override
  public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
    ctx.connect(remoteAddress, localAddress, promise);
  }

  @Override
  public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
    sealOpenRecord(ctx);
    ctx.disconnect(promise);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    // Written but not flushed, the open record's writes then fail as Netty fails unflushed ones.
    sealOpenRecord(ctx);
    ctx.close(promise);
  }

  @Override
  public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
    ctx.deregister(promise);
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    ctx.read();
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    sealOpenRecord(ctx);
    ctx.flush();
  }

  /** The handler of {@code channel}, for callers that only hold the channel. */
  public static NoiseHandler of(Channel channel) {
    return channel.pipeline().get(NoiseHandler.class);
  }
}
