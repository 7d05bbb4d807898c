package dev.chorus.node.internal.s3;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * Signs GET requests to S3 with SigV4 (the SDK's {@link AwsV4HttpSigner}), returning the headers
 * to send: {@code Authorization}, {@code X-Amz-Date}, {@code x-amz-content-sha256} and, with
 * temporary credentials, {@code X-Amz-Security-Token}. Those headers carry the access key id and a
 * session token: they must never be logged. The credentials are asked of the provider at each
 * signature, so rotated or refreshed ones are picked up. Thread-safe.
 */
public final class S3RequestSigner {
  /** The SHA-256 of an empty body: a GET's payload hash. */
  static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private final S3Access access;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  public S3RequestSigner(S3Access access) {
    this.access = Objects.requireNonNull(access, "access");
  }

  /**
   * The headers that sign {@code GET uri} (a URL from {@link S3Access#httpBase} plus a
   * percent-encoded key), without {@code Host}, which the HTTP client derives from the same URL.
   *
   * @throws S3AccessException if there are no credentials or no region
   */
  public Map<String, List<String>> signGet(URI uri) throws S3AccessException {
    AwsCredentials credentials = access.resolveCredentials();
    String region = access.region().id();
    SdkHttpRequest request = SdkHttpRequest.builder()
        .method(SdkHttpMethod.GET)
        .uri(uri)
        .putHeader("x-amz-content-sha256", EMPTY_SHA256)
        .build();
    SignedRequest signed = signer.sign(r -> r
        .identity(credentials)
        .request(request)
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
        // S3 signs the path as sent: encoded once, not normalized.
        .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
        .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false));
    Map<String, List<String>> headers = new LinkedHashMap<>();
    signed.request().forEachHeader((name, values) -> {
      if (!name.equalsIgnoreCase("Host")) {
        headers.put(name, new ArrayList<>(values));
      }
    });
    return headers;
  }

  @Override
  public String toString() {
    return "S3RequestSigner[" + access + "]";
  }
}
