package dev.chorus.node.internal.publish;

import dev.chorus.node.internal.s3.S3Access;
import dev.chorus.node.internal.s3.S3AccessException;
import dev.chorus.node.internal.s3.S3AccessException.Reason;
import dev.chorus.node.internal.s3.S3Location;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A catalog in a bucket, written with the AWS SDK's S3 client.
 *
 * <ul>
 *   <li><b>Idempotent.</b> Every object is stored with its SHA-256 in the user metadata {@code
 *       chorus-sha256}; an object already there with the same size and hash is not uploaded again
 *       (one HEAD instead of a PUT). The index is compared byte for byte.
 *   <li><b>Multipart.</b> Files over {@code multipartThreshold} (default 16 MiB) go up in parts of
 *       {@code partBytes} (default 8 MiB); a failed upload is aborted, so no parts linger.
 *   <li><b>Headers.</b> Each object gets its Content-Type and a Cache-Control for a CDN in front
 *       (see {@link CatalogDestination.ObjectType}).
 *   <li><b>Errors.</b> Missing credentials, a missing bucket, invalid credentials and access denied
 *       are {@link S3AccessException}s that say what to do, found when the catalog is opened
 *       (reading the index).
 *   <li><b>Checksums.</b> Many S3-compatible stores reject the SDK's default request checksums
 *       (CRC trailers), so checksums are sent only where S3 requires them. The bytes are protected
 *       in transit by TLS over HTTPS, and by the SigV4 payload hash over plain HTTP; the SHA-256 in
 *       the metadata is what the next publish compares, and a node verifies every chunk against
 *       the signed manifest anyway.
 * </ul>
 */
final class S3CatalogBucket implements CatalogDestination {
  static final String SHA256_METADATA = "chorus-sha256";
  static final long DEFAULT_MULTIPART_THRESHOLD = 16L * 1024 * 1024;
  static final int DEFAULT_PART_BYTES = 8 * 1024 * 1024;
  /** S3's smallest part but the last. */
  static final int MIN_PART_BYTES = 5 * 1024 * 1024;
  /** A bigger index.json is not ours: refuse it rather than read it into memory. */
  static final long MAX_INDEX_BYTES = 256L * 1024 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(S3CatalogBucket.class);

  private final S3Location location;
  private final S3Access access;
  private final S3Client s3;
  private final long multipartThreshold;
  private final int partBytes;
  private Path staging;

  private S3CatalogBucket(S3Location location, S3Access access, S3Client s3, long multipartThreshold,
      int partBytes) {
    this.location = location;
    this.access = access;
    this.s3 = s3;
    this.multipartThreshold = multipartThreshold;
    this.partBytes = partBytes;
  }

  /**
   * Opens the catalog at {@code location}, checking that there are credentials and a region.
   *
   * @throws S3AccessException with {@link Reason#NO_CREDENTIALS} or {@link Reason#NO_REGION}
   */
  static S3CatalogBucket open(S3Location location, S3Access access) throws S3AccessException {
    return open(location, access, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_BYTES);
  }

  /** Tests: a small {@code multipartThreshold} exercises multipart uploads with small files. */
  static S3CatalogBucket open(S3Location location, S3Access access, long multipartThreshold, int partBytes)
      throws S3AccessException {
    Objects.requireNonNull(location, "location");
    if (partBytes < MIN_PART_BYTES || multipartThreshold < partBytes) {
      throw new IllegalArgumentException("parts must be at least 5 MiB and the threshold at least a part");
    }
    access.resolveCredentials(); // fail now, with the clear message, rather than at the first PUT
    S3ClientBuilder b = S3Client.builder()
        .httpClient(UrlConnectionHttpClient.builder().build())
        .credentialsProvider(access.credentialsProvider())
        .region(access.region())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    access.endpoint().ifPresent(e -> b.endpointOverride(e).forcePathStyle(true));
    return new S3CatalogBucket(location, access, b.build(), multipartThreshold, partBytes);
  }

  @Override
  public byte[] readIndex() throws IOException {
    String key = location.key(CatalogIndex.FILE_NAME);
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(location.bucket()).key(key))) {
      Long length = in.response().contentLength();
      if (length != null && length > MAX_INDEX_BYTES) {
        in.abort();
        throw new IOException(location + CatalogIndex.FILE_NAME + " has " + length
            + " bytes: not a Chorus catalog index; move it away to start a new catalog");
      }
      byte[] bytes = in.readNBytes((int) MAX_INDEX_BYTES + 1);
      if (bytes.length > MAX_INDEX_BYTES) {
        throw new IOException(location + CatalogIndex.FILE_NAME + " is over " + MAX_INDEX_BYTES
            + " bytes: not a Chorus catalog index; move it away to start a new catalog");
      }
      return bytes;
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
        return null;
      }
      throw failure(e, "read " + location + CatalogIndex.FILE_NAME);
    } catch (SdkClientException e) {
      throw unreachable(e);
    }
  }

  @Override
  public Path stagingDirectory() throws IOException {
    if (staging == null) {
      staging = Files.createTempDirectory("chorus-publish-");
    }
    return staging;
  }

  @Override
  public boolean putFile(String key, Path staged, String sha256Hex, ObjectType type) throws IOException {
    long size = Files.size(staged);
    if (alreadyThere(key, size, sha256Hex)) {
      return false;
    }
    try {
      if (size > multipartThreshold) {
        uploadInParts(key, staged, size, sha256Hex, type);
      } else {
        s3.putObject(r -> r.bucket(location.bucket()).key(location.key(key)).contentType(type.contentType())
            .cacheControl(type.cacheControl()).metadata(Map.of(SHA256_METADATA, sha256Hex)),
            RequestBody.fromFile(staged));
      }
    } catch (S3Exception e) {
      throw failure(e, "upload " + location + key);
    } catch (SdkClientException e) {
      throw unreachable(e);
    }
    LOG.debug("uploaded {}{} ({} bytes)", location, key, size);
    return true;
  }

  @Override
  public boolean putBytes(String key, byte[] bytes, ObjectType type) throws IOException {
    String sha256Hex = sha256Hex(bytes);
    if (alreadyThere(key, bytes.length, sha256Hex)) {
      return false;
    }
    try {
      s3.putObject(r -> r.bucket(location.bucket()).key(location.key(key)).contentType(type.contentType())
          .cacheControl(type.cacheControl()).metadata(Map.of(SHA256_METADATA, sha256Hex)),
          RequestBody.fromBytes(bytes));
    } catch (S3Exception e) {
      throw failure(e, "upload " + location + key);
    } catch (SdkClientException e) {
      throw unreachable(e);
    }
    LOG.debug("uploaded {}{} ({} bytes)", location, key, bytes.length);
    return true;
  }

  @Override
  public void close() throws IOException {
    s3.close();
    if (staging != null) {
      try (Stream<Path> files = Files.walk(staging)) {
        for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Override
  public String toString() {
    return location.toString();
  }

  /** Whether {@code key} holds {@code size} bytes of SHA-256 {@code sha256Hex} already. */
  private boolean alreadyThere(String key, long size, String sha256Hex) throws IOException {
    HeadObjectResponse head;
    try {
      head = s3.headObject(r -> r.bucket(location.bucket()).key(location.key(key)));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      if (e.statusCode() == 403) {
        // Allowed to write but not to read: upload, as if the object were not there.
        return false;
      }
      throw failure(e, "look up " + location + key);
    } catch (SdkClientException e) {
      throw unreachable(e);
    }
    return head.contentLength() != null && head.contentLength() == size
        && sha256Hex.equals(head.metadata().get(SHA256_METADATA));
  }

  private void uploadInParts(String key, Path file, long size, String sha256Hex, ObjectType type)
      throws IOException {
    String objectKey = location.key(key);
    String uploadId = s3.createMultipartUpload(r -> r.bucket(location.bucket()).key(objectKey)
        .contentType(type.contentType()).cacheControl(type.cacheControl())
        .metadata(Map.of(SHA256_METADATA, sha256Hex))).uploadId();
    boolean done = false;
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      List<CompletedPart> parts = new ArrayList<>();
      ByteBuffer buf = ByteBuffer.allocate(partBytes);
      for (int part = 1; (long) (part - 1) * partBytes < size; part++) {
        buf.clear();
        while (buf.hasRemaining() && in.read(buf) >= 0) {
          // fill the part
        }
        buf.flip();
        int number = part;
        String etag = s3.uploadPart(r -> r.bucket(location.bucket()).key(objectKey).uploadId(uploadId)
            .partNumber(number).contentLength((long) buf.remaining()), RequestBody.fromByteBuffer(buf)).eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      }
      s3.completeMultipartUpload(r -> r.bucket(location.bucket()).key(objectKey).uploadId(uploadId)
          .multipartUpload(m -> m.parts(parts)));
      done = true;
      LOG.debug("uploaded {}{} in {} parts", location, key, parts.size());
    } finally {
      if (!done) {
        abort(objectKey, uploadId);
      }
    }
  }

  private void abort(String objectKey, String uploadId) {
    try {
      s3.abortMultipartUpload(r -> r.bucket(location.bucket()).key(objectKey).uploadId(uploadId));
    } catch (SdkException e) {
      LOG.warn("could not abort the multipart upload of {} in {} ({}); a lifecycle rule on the"
          + " bucket removes incomplete uploads", objectKey, location.bucket(), e.getMessage());
    }
  }

  /** What an error answer means, and what to do. */
  private S3AccessException failure(S3Exception e, String action) {
    String code = errorCode(e);
    int status = e.statusCode();
    String answered = "cannot " + action + ": " + store() + " answered " + status
        + (code == null ? "" : " " + code);
    if ("NoSuchBucket".equals(code) || (status == 404 && code == null)) {
      return new S3AccessException(Reason.NO_SUCH_BUCKET, answered + ": bucket '" + location.bucket()
          + "' does not exist; create it, or check the name" + (access.endpoint().isPresent()
              ? " and --s3-endpoint" : " and --s3-region"), null);
    }
    if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)
        || "InvalidToken".equals(code) || "ExpiredToken".equals(code)) {
      return new S3AccessException(Reason.INVALID_CREDENTIALS, answered + ": the AWS credentials are"
          + " not valid here (unknown access key, wrong secret or expired token); check"
          + " AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE", null);
    }
    if (status == 403) {
      return new S3AccessException(Reason.ACCESS_DENIED, answered + ": access denied; the"
          + " credentials must be allowed s3:GetObject and s3:PutObject on " + location.bucket() + "/"
          + location.prefix() + "*, and s3:ListBucket on " + location.bucket()
          + " (without it S3 answers 403 for an object that does not exist yet)", null);
    }
    if (status == 301 || "PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code)) {
      return new S3AccessException(Reason.FAILED, answered + ": the bucket is in another region;"
          + " give its region with --s3-region", null);
    }
    return new S3AccessException(Reason.FAILED, answered + " (" + firstLine(e.getMessage()) + ")", null);
  }

  private S3AccessException unreachable(SdkClientException e) {
    return new S3AccessException(Reason.FAILED, "cannot reach " + store() + " (" + firstLine(e.getMessage())
        + "); check the network" + (access.endpoint().isPresent() ? " and --s3-endpoint" : ""), null);
  }

  private String store() {
    return access.endpoint().map(u -> "the S3 store at " + u).orElse("S3");
  }

  private static String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no detail";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
